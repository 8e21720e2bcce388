package radapter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Which radapter made a file: the project version (stamped into the classes at build time) and,
 * when the program runs from a git checkout (the launcher passes it as {@code radapter.home}),
 * the commit and whether the checkout had uncommitted changes, asked of {@code git} at run time
 * so a commit made after the last build is still reported right.
 *
 * @param version the Maven project version
 * @param commit  the full commit hash, or {@code null} outside a git checkout
 * @param dirty   whether tracked files differed from that commit
 */
record BuildInfo(String version, String commit, boolean dirty) {
    private static volatile BuildInfo cached;

    /** This program's build (computed once per process). */
    static BuildInfo current() {
        BuildInfo b = cached;
        if (b == null) {
            b = new BuildInfo(projectVersion(), git("rev-parse", "HEAD"), dirtyCheckout());
            cached = b;
        }
        return b;
    }

    private static String projectVersion() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through: an unknown version is reported as such
        }
        return "unknown";
    }

    private static boolean dirtyCheckout() {
        String s = git("status", "--porcelain", "--untracked-files=no");
        return s != null && !s.isEmpty();
    }

    /** Output of {@code git -C $radapter.home ARGS}, stripped; null when there is no checkout or no git. */
    private static String git(String... args) {
        String home = System.getProperty("radapter.home");
        if (home == null || !Files.exists(Path.of(home, ".git"))) {
            return null;
        }
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = home;
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
