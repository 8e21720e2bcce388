package radapter.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The one way tests reach {@code ../shared} (golden fixtures from the official PyTorch code, the
 * CLIP vocabulary). The location comes from the system property {@code radapter.shared}, which the
 * build sets to {@code <repo>/../shared}. When the folder is absent (a user's fresh clone), tests
 * that need it are skipped with a message saying so; in CI it is present and they run.
 */
public final class Shared {
    private Shared() {
    }

    /** The shared folder, or {@code null} when it is not there. */
    public static Path rootOrNull() {
        String prop = System.getProperty("radapter.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        return Files.isDirectory(p) ? p.toAbsolutePath().normalize() : null;
    }

    /** The shared folder; skips the calling test when it is absent. */
    public static Path root() {
        Path p = rootOrNull();
        Assumptions.assumeTrue(p != null, () -> "skipped: ../shared is not present (set -Dradapter.shared=PATH to run fixture tests)");
        return p;
    }

    /** A file or folder under the shared folder; skips the calling test when it is absent. */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), () -> "skipped: " + p + " is not present");
        return p;
    }

    /** The fixtures folder. */
    public static Path fixtures(String relative) {
        return path("fixtures/" + relative);
    }
}
