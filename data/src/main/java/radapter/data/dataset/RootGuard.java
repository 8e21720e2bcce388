package radapter.data.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves dataset paths and refuses those that leave the dataset root: lexically (after
 * normalising {@code ..}) and, for files that exist, through symbolic links (real paths compared).
 * Not thread safe: one per reader.
 */
final class RootGuard {
    private final Path base;
    private final Path root;
    private final boolean allowOutside;
    private Path realRoot;
    private final Map<Path, Path> realParents = new HashMap<>();

    /**
     * @param base         where relative paths are resolved
     * @param root         the folder paths must stay in
     * @param allowOutside when true, only resolution is done
     */
    RootGuard(Path base, Path root, boolean allowOutside) {
        this.base = base.toAbsolutePath().normalize();
        this.root = root.toAbsolutePath().normalize();
        this.allowOutside = allowOutside;
    }

    Path root() {
        return root;
    }

    /** {@code raw} resolved against the base, absolute and normalised, after the root checks. */
    Path resolve(String raw) throws BadEntry {
        if (raw.isBlank()) {
            throw new BadEntry("empty image path");
        }
        Path p;
        try {
            p = Path.of(raw);
        } catch (InvalidPathException e) {
            throw new BadEntry("invalid image path '" + raw + "': " + e.getReason());
        }
        p = (p.isAbsolute() ? p : base.resolve(p)).normalize();
        return check(raw, p);
    }

    /** {@code p} (absolute, normalised) if it stays in the root. */
    Path check(String raw, Path p) throws BadEntry {
        if (allowOutside) {
            return p;
        }
        if (!p.startsWith(root)) {
            throw new BadEntry("path '" + raw + "' resolves to " + p + ", outside the dataset root " + root
                    + " (allowOutsideRoot permits such paths)");
        }
        Path parent = p.getParent();
        if (Files.isSymbolicLink(p) && !Files.exists(p)) {
            // Its target could appear later, anywhere: a dangling link is refused now, not followed then.
            throw new BadEntry("path '" + raw + "' is a symbolic link to a missing file");
        }
        if (parent == null || !Files.exists(p)) {
            return p; // nothing on disk to follow; a missing file is the loader's business
        }
        try {
            if (realRoot == null) {
                realRoot = root.toRealPath();
            }
            Path realParent = realParents.get(parent);
            if (realParent == null) {
                realParent = parent.toRealPath();
                realParents.put(parent, realParent);
            }
            Path real = Files.isSymbolicLink(p) ? p.toRealPath() : realParent.resolve(p.getFileName());
            if (!real.startsWith(realRoot)) {
                throw new BadEntry("path '" + raw + "' leads through a symbolic link to " + real
                        + ", outside the dataset root " + realRoot + " (allowOutsideRoot permits such paths)");
            }
        } catch (IOException e) {
            return p; // vanished or unreadable between checks: the loader reports it when reading
        }
        return p;
    }
}
