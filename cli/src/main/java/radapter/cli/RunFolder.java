package radapter.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.stream.Stream;
import radapter.tensor.io.AtomicFiles;

/**
 * A training run's output folder, held exclusively while a run writes into it.
 *
 * <p>The lock is an OS file lock on {@code DIR/.radapter.lock} (released by the OS when the
 * process dies, so a killed run never leaves the folder locked); the file also records who holds
 * it, for the message the second run gets. A new run refuses a folder that already holds
 * something ({@code --resume} continues it, {@code --overwrite} starts over), and any start
 * removes the temporaries an interrupted write left there.
 */
final class RunFolder implements AutoCloseable {
    /** The lock file's name inside the run folder. */
    static final String LOCK = ".radapter.lock";

    /** How a run means to use its folder. */
    enum Mode {
        /** A new run: the folder must be absent or empty. */
        NEW,
        /** A new run replacing a previous one: its checkpoints are deleted. */
        OVERWRITE,
        /** Continue the run the folder holds. */
        RESUME
    }

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private RunFolder(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes {@code dir} for a run in {@code mode}: checks it is a folder that can be used that way,
     * locks it, removes stale temporaries (and, for {@link Mode#OVERWRITE}, the old checkpoints).
     *
     * @throws IllegalArgumentException when the folder cannot be used (one line saying why and what to do)
     */
    static RunFolder take(Path dir, Mode mode, String option) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " exists and is not a folder; give a folder for the run's outputs");
        }
        if (mode == Mode.RESUME && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--resume " + dir + ": no such run folder");
        }
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another run in this same JVM
        }
        if (lock == null) {
            String holder = readHolder(ch);
            ch.close();
            throw new IllegalStateException(dir + " is in use by another radapter run" + (holder.isEmpty() ? "" : " (" + holder + ")")
                    + "; wait for it to finish, or give another " + option);
        }
        RunFolder f = new RunFolder(dir, ch, lock);
        try {
            f.recordHolder();
            if (mode == Mode.NEW && holdsAnything(dir)) {
                throw new IllegalArgumentException(option + " " + dir + " is not empty"
                        + (Files.isDirectory(dir.resolve("checkpoints")) ? " (it holds a finetune run)" : "")
                        + "; give --resume " + dir + " to continue that run, --overwrite to replace it, or a new " + option);
            }
            if (mode == Mode.OVERWRITE) {
                AtomicFiles.deleteTree(dir.resolve("checkpoints"));
            }
            AtomicFiles.removeStaleTemporaries(dir);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    Path dir() {
        return dir;
    }

    /**
     * Anything but the lock file, leftovers of interrupted writes, and the saved command line of a
     * run that failed before its first checkpoint (a typo in the data must not make the next,
     * corrected attempt need --overwrite).
     */
    private static boolean holdsAnything(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.equals(LOCK) || AtomicFiles.isTemporary(n)) {
                    continue;
                }
                if (n.equals("checkpoints") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> c = Files.list(p)) {
                        if (c.map(q -> q.getFileName().toString()).allMatch(q -> q.equals(ResumeOptions.FILE) || AtomicFiles.isTemporary(q))) {
                            continue;
                        }
                    }
                }
                return true;
            }
            return false;
        }
    }

    private void recordHolder() throws IOException {
        byte[] who = ("pid " + ProcessHandle.current().pid() + ", started " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(who), 0);
    }

    private static String readHolder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(200);
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
