package radapter.models.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The checksums the hub's ETags carry: for a file stored with Git LFS, the SHA-256 of its
 * contents (64 hex digits); for a small file stored in git itself, its git blob id, the SHA-1 of
 * {@code "blob <size>\0"} followed by the contents (40 hex digits).
 */
public final class Checksums {
    private Checksums() {
    }

    /** What an ETag is a checksum of. */
    public enum Kind {
        /** An LFS file: SHA-256 of the contents. */
        SHA256("sha256"),
        /** A git-stored file: the git blob SHA-1. */
        GIT_SHA1("git blob sha1"),
        /** Something else (a proxy's own ETag): no checksum. */
        NONE("none");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** How a message names it. */
        public String label() {
            return label;
        }
    }

    /** What checksum {@code etag} (already unquoted) is. */
    public static Kind kindOf(String etag) {
        if (etag.matches("[0-9a-f]{64}")) {
            return Kind.SHA256;
        }
        if (etag.matches("[0-9a-f]{40}")) {
            return Kind.GIT_SHA1;
        }
        return Kind.NONE;
    }

    /** The SHA-256 of {@code file}, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        return digest(file, "SHA-256", null);
    }

    /** The git blob id of {@code file}, lower-case hex. */
    public static String gitBlobSha1(Path file) throws IOException {
        return digest(file, "SHA-1", ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
        if (prefix != null) {
            md.update(prefix);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
