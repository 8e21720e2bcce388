package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.testing.FakeHub;
import radapter.testing.Shared;

/**
 * The README's Java examples compile as written against the modules' classes, and those marked
 * {@code ```java runnable} run: in a fresh JVM with the project's flags, in a folder holding a
 * {@code cat.jpg} and a small {@code train.csv} dataset, with the tiny fixture CLIP served as
 * {@code openai/clip-vit-base-patch16} by a local hub.
 */
class ReadmeSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```java( runnable)?\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path tmp;

    private record Snippet(int index, boolean runnable, String code) {
        String name() {
            return "Snippet" + index;
        }

        String firstLine() {
            return code.lines().filter(l -> !l.startsWith("import")).findFirst().orElse("").strip();
        }
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("jvm.options"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no jvm.options above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    private static List<Snippet> snippets() throws IOException {
        String readme = Files.readString(repoRoot().resolve("README.md"));
        List<Snippet> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            out.add(new Snippet(out.size() + 1, m.group(1) != null, m.group(2)));
        }
        return out;
    }

    @Test
    void everyJavaExampleCompilesAndTheRunnableOnesRun() throws Exception {
        List<Snippet> snippets = snippets();
        assertTrue(snippets.size() >= 5, "found " + snippets.size() + " java blocks in README.md");
        assertTrue(snippets.stream().filter(Snippet::runnable).count() >= 3);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        compile(snippets, classes);

        Path work = tmp.resolve("work");
        SyntheticShapes.builder().seed(3).imageSize(32).sizeAll(16).build().writeTo(work, Split.TRAIN);
        BufferedImage cat = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                cat.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 90);
            }
        }
        ImageIO.write(cat, "jpg", work.resolve("cat.jpg").toFile());

        try (FakeHub hub = FakeHub.start()) {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("config.json", Files.readAllBytes(Shared.fixtures("tiny_clip/hf_config.json")));
            files.put("model.safetensors", Files.readAllBytes(Shared.fixtures("tiny_clip/model_hf.safetensors")));
            files.putAll(huggingFaceVocabulary(Shared.path("clip/bpe_simple_vocab_16e6.txt.gz")));
            hub.repo("openai/clip-vit-base-patch16", files);
            List<Snippet> runnable = snippets.stream().filter(Snippet::runnable).toList();
            Map<String, String> outputs = run(runnable, classes, work, hub);
            for (Snippet s : runnable) {
                String out = outputs.getOrDefault(s.name(), "");
                assertFalse(out.isBlank(), s.name() + " printed nothing");
                if (s.code().contains("MemoryScope.open()")) {
                    String last = out.strip().lines().reduce((a, b) -> b).orElseThrow();
                    assertEquals(1.0, Double.parseDouble(last), 1e-4, out);
                }
            }
            assertTrue(Files.isRegularFile(work.resolve("merged.safetensors")), "the fine-tuning example exported its model");
        }
    }

    private static void compile(List<Snippet> snippets, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        Path src = Files.createDirectories(classes.resolveSibling("src"));
        List<File> files = new ArrayList<>();
        for (Snippet s : snippets) {
            // A compact source file's class takes the file's name.
            Path f = src.resolve(s.name() + ".java");
            Files.writeString(f, s.code());
            files.add(f.toFile());
        }
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "25", "--add-modules", "jdk.incubator.vector", "-proc:none", "-classpath",
                    System.getProperty("java.class.path"), "-d", classes.toString());
            boolean ok = javac.getTask(null, fm, diags, options, null, fm.getJavaFileObjectsFromFiles(files)).call();
            StringBuilder msg = new StringBuilder();
            diags.getDiagnostics().forEach(d -> {
                int i = Integer.parseInt(((JavaFileObject) d.getSource()).getName().replaceAll(".*Snippet(\\d+)\\.java", "$1"));
                msg.append("README example ").append(i).append(" (").append(snippets.get(i - 1).firstLine()).append("), line ")
                        .append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
            });
            assertTrue(ok, msg::toString);
        }
    }

    /** Runs the examples one after the other in one fresh JVM (see {@link Runner}); returns each one's output. */
    private static Map<String, String> run(List<Snippet> snippets, Path classes, Path work, FakeHub hub)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "@" + repoRoot().resolve("jvm.options"), "-Xmx1g",
                "-DHF_ENDPOINT=" + hub.endpoint(), "-DHF_HOME=" + work.resolveSibling("hf-home"),
                "-DHF_HUB_CACHE=" + work.resolveSibling("hf-cache"), "-DHF_HUB_OFFLINE=0",
                "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"), Runner.class.getName()));
        snippets.forEach(s -> cmd.add(s.name()));
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        Map<String, String> outputs = new LinkedHashMap<>();
        StringBuilder all = new StringBuilder();
        String current = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith(Runner.MARK)) {
                    current = line.substring(Runner.MARK.length());
                } else if (current != null) {
                    outputs.merge(current, line + "\n", String::concat);
                }
            }
        }
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the README examples did not finish");
        String failed = current;
        assertEquals(0, p.exitValue(), () -> "README example " + failed + " failed:\n" + all);
        return outputs;
    }

    /** Runs compact-source programs by class name, marking where each one's output starts. */
    public static final class Runner {
        static final String MARK = "=== README example ";

        public static void main(String[] names) throws Exception {
            for (String name : names) {
                System.out.println(MARK + name);
                Class<?> c = Class.forName(name);
                var ctor = c.getDeclaredConstructor();
                ctor.setAccessible(true);
                var main = c.getDeclaredMethod("main");
                main.setAccessible(true);
                try {
                    main.invoke(ctor.newInstance());
                } catch (java.lang.reflect.InvocationTargetException e) {
                    e.getCause().printStackTrace();
                    System.exit(1);
                }
            }
        }
    }

    /**
     * CLIP's BPE file in the Hugging Face tokenizer format ({@code vocab.json}, {@code merges.txt}):
     * the 256 byte symbols, the same with {@code </w>}, one token per merge, then the two special
     * tokens, as CLIP's SimpleTokenizer builds its vocabulary.
     */
    static Map<String, byte[]> huggingFaceVocabulary(Path bpeGz) throws IOException {
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(bpeGz)),
                StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        List<String> merges = lines.subList(1, 49152 - 256 - 2 + 1);
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            printable.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable.add(b);
        }
        List<String> symbols = new ArrayList<>();
        printable.forEach(b -> symbols.add(String.valueOf((char) (int) b)));
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable.contains(b)) {
                symbols.add(String.valueOf((char) (256 + extra++)));
            }
        }
        List<String> vocab = new ArrayList<>(symbols);
        symbols.forEach(v -> vocab.add(v + "</w>"));
        merges.forEach(m -> vocab.add(m.replace(" ", "")));
        vocab.add("<|startoftext|>");
        vocab.add("<|endoftext|>");
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < vocab.size(); i++) {
            json.append(i > 0 ? "," : "").append('"').append(vocab.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append("\":").append(i);
        }
        json.append('}');
        return Map.of("vocab.json", json.toString().getBytes(StandardCharsets.UTF_8),
                "merges.txt", ("#version: 0.2\n" + String.join("\n", merges) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
