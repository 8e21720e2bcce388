package radapter.tensor.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The GPU kernel sources, shipped as resources under {@value #FOLDER}: one file per op family,
 * written once in the macro dialect that {@code prelude_opencl.h} documents, compiled as OpenCL C
 * or CUDA C++ behind the {@link #prelude prelude} of that dialect. A driver compiles
 * {@code prelude + "\n#line 1\n" + family} (the {@code #line} makes compiler messages point at
 * the family file's own lines).
 *
 * <p>The prelude has three parts, each with one source: the dialect's own file, which maps the
 * macros onto the API ({@code prelude_opencl.h}, {@code prelude_cuda.h}); the op codes, flag bits
 * and work-group size generated from the Java enums ({@link OpCodes#header()}); and the helpers
 * every dialect shares ({@code prelude_shared.h}). Every family file compiles with nothing but
 * that prelude in front of it, so the CUDA build step ({@code PtxBuild}, which goes through this
 * class too) turns each one into PTX on its own.
 *
 * <p>{@code java -cp tensor/target/classes radapter.tensor.gpu.KernelSources cuda matmul} prints
 * exactly what a driver compiles, for checking a kernel by hand with {@code nvcc} or an OpenCL
 * compiler.
 */
public final class KernelSources {
    /** Resource folder of the kernel files. */
    public static final String FOLDER = "radapter/tensor/gpu/kernels/";

    /** The op families, one {@code <family>.gpu} file each. */
    public static final List<String> FAMILIES = List.of("elementwise", "copy", "reduce", "matmul", "softmax", "layernorm", "index");

    /** The helpers every dialect shares, behind the dialect's prelude and the generated op codes. */
    public static final String SHARED_PRELUDE = "prelude_shared.h";

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

        /** The file name in {@link #FOLDER} of the dialect's own part of the prelude. */
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

    /**
     * Everything a driver of {@code dialect} puts in front of a family: the dialect's file, the
     * generated op codes ({@link OpCodes#header()}) and {@value #SHARED_PRELUDE}.
     */
    public static String prelude(Dialect dialect) {
        return resource(dialect.file()) + "\n" + OpCodes.header() + "\n" + resource(SHARED_PRELUDE);
    }

    /** What a driver of {@code dialect} compiles for a family's {@code source}: the prelude, a line reset, the source. */
    public static String withPrelude(Dialect dialect, String source) {
        return prelude(dialect) + "\n#line 1\n" + source;
    }

    /**
     * Prints what a driver compiles for one family: {@code KernelSources opencl|cuda <family>}.
     *
     * @param args the dialect and the family
     */
    public static void main(String[] args) {
        int status = print(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** {@link #main}'s work: the source on {@code out}, or one line on {@code err} and status 2. */
    static int print(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2) {
            err.println("usage: KernelSources opencl|cuda <family>   (families: " + String.join(", ", FAMILIES) + ")");
            return 2;
        }
        Dialect dialect = null;
        for (Dialect d : Dialect.values()) {
            if (d.name().equalsIgnoreCase(args[0])) {
                dialect = d;
            }
        }
        if (dialect == null) {
            err.println("unknown kernel dialect '" + args[0] + "'; use opencl or cuda");
            return 2;
        }
        if (!FAMILIES.contains(args[1])) {
            err.println("unknown kernel family '" + args[1] + "'; known: " + String.join(", ", FAMILIES));
            return 2;
        }
        out.print(withPrelude(dialect, family(args[1])));
        out.flush();
        return 0;
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
