package radapter.tensor.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The GPU kernel sources, shipped as resources under {@value #FOLDER}: one file per op family,
 * written once in the macro dialect that {@code prelude_opencl.h} documents, and one prelude per
 * API that maps the dialect onto it. A driver compiles {@code prelude + "\n#line 1\n" + family}
 * (the {@code #line} makes compiler messages point at the family file's own lines).
 *
 * <p>Every family file compiles with nothing but its prelude in front of it: the CUDA build step
 * turns each one into PTX on its own. The few helpers several families share therefore live in
 * the preludes, in a section that is byte-identical in each (a test compares them).
 */
public final class KernelSources {
    /** Resource folder of the kernel files. */
    public static final String FOLDER = "radapter/tensor/gpu/kernels/";

    /** The op families, one {@code <family>.gpu} file each. */
    public static final List<String> FAMILIES = List.of("elementwise", "copy", "reduce", "matmul", "softmax", "layernorm", "index",
            "adapter");

    /** The kernel languages a prelude exists for. */
    public enum Dialect {
        /** OpenCL C 1.2 ({@code prelude_opencl.h}). */
        OPENCL("prelude_opencl.h"),
        /** CUDA C++ for nvcc and NVRTC ({@code prelude_cuda.h}). */
        CUDA("prelude_cuda.h");

        private final String file;

        Dialect(String file) {
            this.file = file;
        }

        /** The prelude's file name in {@link #FOLDER}. */
        public String file() {
            return file;
        }
    }

    private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();

    private KernelSources() {
    }

    /** The text of the family file {@code <family>.gpu}, exactly as shipped. */
    public static String family(String family) {
        if (!FAMILIES.contains(family)) {
            throw new IllegalArgumentException("unknown kernel family '" + family + "'; known: " + FAMILIES);
        }
        return resource(family + ".gpu");
    }

    /** The prelude of {@code dialect}. */
    public static String prelude(Dialect dialect) {
        return resource(dialect.file());
    }

    /** What a driver of {@code dialect} compiles for a family's {@code source}: the prelude, a line reset, the source. */
    public static String withPrelude(Dialect dialect, String source) {
        return prelude(dialect) + "\n#line 1\n" + source;
    }

    private static String resource(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(FOLDER + n)) {
                if (in == null) {
                    throw new IllegalStateException("kernel source " + FOLDER + n + " is missing from the class path");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading kernel source " + FOLDER + n, e);
            }
        });
    }
}
