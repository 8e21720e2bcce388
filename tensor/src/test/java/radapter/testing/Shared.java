package radapter.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The one way tests reach the golden fixtures (data from the official PyTorch code) and the CLIP
 * vocabulary, with paths relative to the {@code shared} layout ({@code fixtures/...},
 * {@code clip/bpe_simple_vocab_16e6.txt.gz}).
 *
 * <p>Two places can hold them, tried in this order:
 * <ol>
 *   <li>{@code ../shared} beside the repository (CI), or wherever the system property
 *       {@code radapter.shared} points (the build sets it to {@code <repo>/../shared});</li>
 *   <li>the copy vendored in the repository: {@code <repo>/testdata/fixtures} (byte-identical to
 *       {@code shared/fixtures}, checked by {@code VendoredFixturesTest}) and the vocabulary that
 *       the models module ships as a resource. The build passes {@code <repo>/testdata} as
 *       {@code radapter.testdata}; without it (a test started from an IDE) the folder is looked
 *       for above the working directory.</li>
 * </ol>
 * So a fresh clone without {@code ../shared} still runs every parity test. A test is skipped
 * with a message only when neither place has the file it needs.
 */
public final class Shared {
    /** Where a clone keeps its vendored copy, relative to the repository root. */
    public static final String VENDORED_FOLDER = "testdata";

    /**
     * Files of the shared layout that the vendored copy keeps somewhere else than under
     * {@code testdata/}, relative to the repository root: the vocabulary is a resource of the
     * models module, not a second copy.
     */
    private static final Map<String, String> VENDORED_ELSEWHERE = Map.of(
            "clip/bpe_simple_vocab_16e6.txt.gz", "models/src/main/resources/radapter/models/tokenizer/bpe_simple_vocab_16e6.txt.gz");

    private Shared() {
    }

    /** The {@code shared} folder beside the repository, or {@code null} when it is not there. */
    public static Path sharedOrNull() {
        String prop = System.getProperty("radapter.shared");
        if (prop != null) {
            Path p = Path.of(prop);
            return Files.isDirectory(p.resolve("fixtures")) ? p.toAbsolutePath().normalize() : null;
        }
        // No build property (a test started from an IDE): beside the nearest enclosing folder.
        for (Path dir = Path.of("").toAbsolutePath(); dir.getParent() != null; dir = dir.getParent()) {
            Path p = dir.getParent().resolve("shared");
            if (Files.isDirectory(p.resolve("fixtures"))) {
                return p.normalize();
            }
        }
        return null;
    }

    /** The repository's vendored copy ({@code <repo>/testdata}), or {@code null} when not found. */
    public static Path vendoredOrNull() {
        String prop = System.getProperty("radapter.testdata");
        if (prop != null) {
            Path p = Path.of(prop);
            return Files.isDirectory(p.resolve("fixtures")) ? p.toAbsolutePath().normalize() : null;
        }
        // No build property: the nearest repository above the working directory.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve(VENDORED_FOLDER);
            if (Files.isDirectory(p.resolve("fixtures")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return p.normalize();
            }
        }
        return null;
    }

    /** The folder fixture paths resolve against: {@code ../shared} when present, else the vendored copy, else {@code null}. */
    public static Path rootOrNull() {
        Path shared = sharedOrNull();
        return shared != null ? shared : vendoredOrNull();
    }

    /** Whether fixtures come from the vendored copy (no {@code ../shared} here). */
    public static boolean usesVendoredCopy() {
        return sharedOrNull() == null && vendoredOrNull() != null;
    }

    /** The folder fixture paths resolve against; skips the calling test when neither place exists. */
    public static Path root() {
        Path p = rootOrNull();
        Assumptions.assumeTrue(p != null, () -> "skipped: neither ../shared nor the vendored " + VENDORED_FOLDER
                + "/ folder is present (set -Dradapter.shared=PATH or -Dradapter.testdata=PATH to run fixture tests)");
        return p;
    }

    /**
     * A file or folder of the shared layout (e.g. {@code clip/bpe_simple_vocab_16e6.txt.gz}),
     * from {@code ../shared} or the vendored copy; skips the calling test when it is absent.
     */
    public static Path path(String relative) {
        Path root = root();
        String elsewhere = VENDORED_ELSEWHERE.get(relative);
        Path p = elsewhere != null && usesVendoredCopy() ? root.getParent().resolve(elsewhere) : root.resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), () -> "skipped: " + p + " is not present");
        return p;
    }

    /** A file or folder under the fixtures folder ({@code ""} for the folder itself). */
    public static Path fixtures(String relative) {
        return path("fixtures/" + relative);
    }
}
