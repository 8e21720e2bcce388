package radapter.tensor.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes that never leave a half-written file: a temporary sibling, then an atomic rename.
 *
 * <p>The temporary file is created like any other tool creates a file, so the result honours the
 * user's umask (no private 0600 files; {@link Files#createTempFile} would force that). Only a
 * regular file (or nothing) is ever replaced: a directory, device node, FIFO or socket at the
 * target is refused, because renaming over it would silently destroy it. A failed write (a full
 * disk, a killed process aside) removes its temporary file and names the target in the error.
 * Temporaries that a killed process left behind match {@link #isTemporary} and are removed by
 * {@link #removeStaleTemporaries} the next time a run starts in that folder.
 */
public final class AtomicFiles {
    /** {@code .NAME.<16 hex>.tmp}: the shape of every temporary this class creates. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-f]{16}\\.tmp");

    private AtomicFiles() {
    }

    /** Writes the content of a file being replaced. */
    @FunctionalInterface
    public interface Body {
        /** Writes everything to {@code channel}, positioned at 0 of an empty file. */
        void write(FileChannel channel) throws IOException;
    }

    /** Replaces {@code file} with {@code content} (UTF-8) atomically, creating parent folders. */
    public static void writeString(Path file, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        write(file, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Replaces {@code file} with what {@code body} writes to an output stream, atomically. */
    public static void writeStream(Path file, StreamBody body) throws IOException {
        write(file, ch -> {
            OutputStream os = Channels.newOutputStream(ch);
            body.write(os);
            os.flush();
        });
    }

    /** Writes a file's content to a stream (the stream is closed by the caller). */
    @FunctionalInterface
    public interface StreamBody {
        /** Writes the whole content. */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code file} with what {@code body} writes, atomically: a temporary sibling created
     * with the default permissions (umask), flushed to disk, then renamed over the target.
     *
     * @throws IOException naming {@code file} when the target is not a regular file or the write fails
     */
    public static void write(Path file, Body body) throws IOException {
        checkReplaceable(file);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = newTemporary(dir, file.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            }
            // Checked again: something may have appeared at the target while we wrote.
            checkReplaceable(file);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } catch (FileSystemException e) {
            throw e.getFile() != null && e.getFile().equals(tmp.toString())
                    ? new IOException("cannot write " + file + ": " + reason(e)) : e;
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Creates a new, empty folder {@code .NAME.<16 hex>.tmp} in {@code parent} with the default
     * permissions (umask), for contents that are later renamed into place as a whole.
     */
    public static Path newTemporaryDirectory(Path parent, String name) throws IOException {
        Files.createDirectories(parent);
        for (int attempt = 0; ; attempt++) {
            Path p = parent.resolve(temporaryName(name));
            try {
                return Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /**
     * Refuses a target that exists and is not a regular file (a directory, a device node, a FIFO,
     * a socket, or a link to one): replacing it would destroy something that is not ours.
     */
    public static void checkReplaceable(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isRegularFile()) {
            return;
        }
        String kind = a.isDirectory() ? "a directory" : a.isOther() ? "a special file (device, FIFO or socket)" : "not a regular file";
        throw new IOException(file + " is " + kind + "; refusing to replace it (give the path of a regular file to write)");
    }

    /** Whether {@code name} has the shape of a temporary this class created. */
    public static boolean isTemporary(String name) {
        return TEMPORARY.matcher(name).matches();
    }

    /**
     * Deletes temporaries ({@link #isTemporary}) that an interrupted write left in {@code dir}
     * (files and folders, not following links), returning what was removed. Call it only while
     * holding the folder's run lock, so no live writer's temporary is taken.
     */
    public static List<Path> removeStaleTemporaries(Path dir) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return removed;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (isTemporary(p.getFileName().toString())) {
                    deleteTree(p);
                    removed.add(p);
                }
            }
        }
        return removed;
    }

    /** Deletes a file or a folder with everything in it, never following links out of it. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    private static Path newTemporary(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(temporaryName(name));
            try {
                // No file attributes: the OS applies the umask, as for any file a user creates.
                Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return p;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    private static String temporaryName(String name) {
        return "." + name + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp";
    }

    private static String reason(FileSystemException e) {
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }

    /** Writes all of {@code buf}, however many calls that takes. */
    public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
