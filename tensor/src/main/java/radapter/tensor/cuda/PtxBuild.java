package radapter.tensor.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import radapter.tensor.gpu.KernelSources;

/**
 * The build step that compiles every GPU kernel file to PTX with {@code nvcc}, run by Maven in
 * {@code process-classes} (see {@code tensor/pom.xml}, profile {@code cuda-ptx}). It lives in main
 * code, next to {@link PtxImages}, so that the text it hashes and compiles is built by the very
 * same {@link PtxImages#cudaSource} the driver uses at run time: the CUDA prelude with the op codes
 * that {@link radapter.tensor.gpu.OpCodes} generates from the enums compiled in the same build.
 *
 * <p>Usage: {@code PtxBuild <kernel folder> <output folder>}. For each kernel file (every file in
 * the folder except the {@code *.h} headers) it writes {@code <name>.ptx} and a line
 * {@code <sha256> <name>.ptx} in {@code index.txt}. A kernel whose hash is already in the index
 * with its PTX present is not recompiled. Without {@code nvcc} (looked up on {@code PATH}, in
 * {@code $CUDA_HOME/bin} and {@code /usr/local/cuda/bin}, or named by {@code -Dradapter.nvcc=};
 * {@code -Dradapter.nvcc=none} pretends there is none)
 * it prints one line and succeeds, leaving the index empty: the driver then falls back to NVRTC.
 */
public final class PtxBuild {
    private PtxBuild() {
    }

    /**
     * Entry point.
     *
     * @param args the kernel folder and the output folder
     * @throws Exception when nvcc rejects a kernel (the build must fail: the kernel is wrong)
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: PtxBuild <kernel folder> <output folder>");
        }
        Path kernels = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Path> files = kernelFiles(kernels);
        Files.createDirectories(out);
        Path indexFile = out.resolve("index.txt");
        Object nvcc = PtxImages.findNvcc();
        if (nvcc instanceof String why) {
            System.out.println("[radapter] CUDA PTX not compiled at build time: " + why
                    + "; the CUDA backend will compile kernels with NVRTC at run time");
            Files.writeString(indexFile, "# no nvcc at build time\n");
            removePtxExcept(out, Map.of());
            return;
        }
        if (files.isEmpty()) {
            System.out.println("[radapter] CUDA PTX: no kernel files in " + kernels);
            Files.writeString(indexFile, "# no kernel files\n");
            return;
        }
        for (String header : List.of(KernelSources.Dialect.CUDA.file(), KernelSources.SHARED_PRELUDE)) {
            if (PtxBuild.class.getClassLoader().getResource(PtxImages.KERNELS + header) == null) {
                System.out.println("[radapter] CUDA PTX: " + PtxImages.KERNELS + header + " is not on the class path; nothing compiled");
                Files.writeString(indexFile, "# no " + header + "\n");
                return;
            }
        }
        Map<String, String> previous = readIndex(indexFile);
        Map<String, String> index = new LinkedHashMap<>();
        int compiled = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            String ptxName = (name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name) + ".ptx";
            byte[] cuda = PtxImages.cudaSource(Files.readString(f, StandardCharsets.UTF_8));
            String sha = PtxImages.sha256(cuda);
            Path ptx = out.resolve(ptxName);
            if (!ptxName.equals(previous.get(sha)) || !Files.isRegularFile(ptx)) {
                compile((Path) nvcc, cuda, name, ptx);
                compiled++;
            }
            index.put(sha, ptxName);
        }
        removePtxExcept(out, index);
        StringBuilder sb = new StringBuilder("# sha256 of the CUDA prelude (prelude_cuda.h, generated op codes, prelude_shared.h)"
                + " + \"\\n#line 1\\n\" + kernel source, and its PTX (nvcc -arch=compute_" + PtxImages.BUILD_ARCH + ")\n");
        index.forEach((sha, file) -> sb.append(sha).append(' ').append(file).append('\n'));
        Files.writeString(indexFile, sb.toString());
        System.out.println("[radapter] CUDA PTX: " + files.size() + " kernel file(s), " + compiled + " compiled with " + nvcc);
    }

    /** Deletes PTX files the index does not name (removed kernels, an earlier build's), so the jar holds only live PTX. */
    private static void removePtxExcept(Path out, Map<String, String> index) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".ptx")).toList()) {
                if (!index.containsValue(p.getFileName().toString())) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Kernel files: every regular file but headers ({@code *.h}) and notes ({@code *.md}), sorted. */
    static List<Path> kernelFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return !n.endsWith(".h") && !n.endsWith(".md") && !n.startsWith(".");
            }).sorted().toList();
        }
    }

    private static Map<String, String> readIndex(Path indexFile) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (Files.isRegularFile(indexFile)) {
            for (String line : Files.readAllLines(indexFile)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && !line.startsWith("#")) {
                    m.put(f[0], f[1]);
                }
            }
        }
        return m;
    }

    private static void compile(Path nvcc, byte[] cuda, String name, Path ptx) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("radapter-ptx");
        try {
            // nvcc decides the language by extension, so the kernel goes in as a .cu file.
            Path in = dir.resolve(name.replace('.', '_') + ".cu");
            Files.write(in, cuda);
            Path tmpOut = dir.resolve("out.ptx");
            Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=compute_" + PtxImages.BUILD_ARCH, "-o", tmpOut.toString(),
                    in.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("nvcc failed on kernel file " + name + " (with the CUDA prelude prepended):\n" + log);
            }
            Files.copy(tmpOut, ptx, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
