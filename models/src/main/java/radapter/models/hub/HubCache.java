package radapter.models.hub;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;
import radapter.tensor.io.AtomicFiles;

/**
 * The Hugging Face hub cache layout, as {@code huggingface_hub} writes it:
 *
 * <pre>
 * &lt;cache&gt;/models--openai--clip-vit-base-patch16/
 *     blobs/&lt;etag&gt;                       file contents, named by the hub's ETag
 *     snapshots/&lt;commit&gt;/config.json     a relative symbolic link to ../../blobs/&lt;etag&gt;
 *     refs/main                          the commit "main" pointed at when last fetched
 * </pre>
 *
 * Where the file system has no symbolic links the snapshot holds a copy, as in
 * {@code huggingface_hub}'s fallback.
 */
public final class HubCache {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    /** The cache rooted at {@code root} (the {@code HF_HUB_CACHE} folder). */
    public HubCache(Path root) {
        this.root = root;
    }

    /** The cache folder. */
    public Path root() {
        return root;
    }

    /** {@code models--org--name} for the model repository {@code org/name}. */
    public Path repoFolder(String repoId) {
        return root.resolve("models--" + repoId.replace("/", "--"));
    }

    /** The snapshot folder of {@code commit}. */
    public Path snapshot(String repoId, String commit) {
        return repoFolder(repoId).resolve("snapshots").resolve(commit);
    }

    /** The blob holding the file whose ETag is {@code etag}. */
    public Path blob(String repoId, String etag) {
        return repoFolder(repoId).resolve("blobs").resolve(etag);
    }

    /** The lock file guarding the download of one blob across processes. */
    Path lock(String repoId, String etag) {
        return root.resolve(".locks").resolve(repoFolder(repoId).getFileName()).resolve(etag + ".lock");
    }

    /** Whether {@code revision} is a full commit hash (then no ref is needed to find it). */
    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** The commit {@code revision} resolved to when it was last fetched, if it is in the cache. */
    public Optional<String> commitOf(String repoId, String revision) throws IOException {
        if (isCommit(revision)) {
            return Files.isDirectory(snapshot(repoId, revision)) ? Optional.of(revision) : Optional.empty();
        }
        Path ref = repoFolder(repoId).resolve("refs").resolve(revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        String commit = Files.readString(ref).trim();
        return COMMIT.matcher(commit).matches() && Files.isDirectory(snapshot(repoId, commit)) ? Optional.of(commit) : Optional.empty();
    }

    /** Records that {@code revision} points at {@code commit} (atomically). */
    public void writeRef(String repoId, String revision, String commit) throws IOException {
        if (isCommit(revision)) {
            return;
        }
        Path ref = repoFolder(repoId).resolve("refs").resolve(revision);
        if (Files.isRegularFile(ref) && Files.readString(ref).trim().equals(commit)) {
            return;
        }
        AtomicFiles.writeString(ref, commit);
    }

    /**
     * Makes {@code filename} in the snapshot of {@code commit} point at the blob {@code etag}: a
     * relative symbolic link, or a copy where links cannot be made.
     */
    public Path link(String repoId, String commit, String filename, String etag) throws IOException {
        Path target = snapshot(repoId, commit).resolve(filename);
        Path blob = blob(repoId, etag);
        Files.createDirectories(target.getParent());
        Path relative = target.getParent().relativize(blob);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".link");
        Files.deleteIfExists(tmp);
        try {
            Files.createSymbolicLink(tmp, relative);
        } catch (UnsupportedOperationException | IOException e) {
            if (e instanceof FileAlreadyExistsException) {
                throw (IOException) e;
            }
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
