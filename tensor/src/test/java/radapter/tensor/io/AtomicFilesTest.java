package radapter.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The atomic writer: umask permissions, regular files only, nothing left by a failed write, stale temporaries removable. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void filesAndFoldersGetTheUmaskPermissionsLikeAnyOtherTool() throws IOException {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
        Path plain = Files.createFile(dir.resolve("plain")); // the OS default: 0666 & ~umask
        Path plainDir = Files.createDirectory(dir.resolve("plainDir")); // 0777 & ~umask
        Path written = dir.resolve("written.txt");
        AtomicFiles.writeString(written, "x");
        Path tmpDir = AtomicFiles.newTemporaryDirectory(dir, "ckpt");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(tmpDir));
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(written);
        assertTrue(p.contains(PosixFilePermission.OWNER_READ) && p.contains(PosixFilePermission.OWNER_WRITE));
        SafeTensors.write(dir.resolve("t.safetensors"), java.util.Map.of(), null);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(dir.resolve("t.safetensors")));
    }

    @Test
    void onlyRegularFilesAreReplaced() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("folder"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(folder, "x"));
        assertTrue(e.getMessage().contains("folder is a directory"), e.getMessage());
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(p.waitFor() == 0, "no mkfifo here");
        IOException f = assertThrows(IOException.class, () -> AtomicFiles.writeString(fifo, "x"));
        assertTrue(f.getMessage().contains("special file"), f.getMessage());
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still there");
        assertEquals(List.of(), temporaries());
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            ch.write(java.nio.ByteBuffer.wrap("half".getBytes()));
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("No space left"), e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(), temporaries());
    }

    @Test
    void staleTemporariesAreRecognisedAndRemoved() throws IOException {
        Files.writeString(dir.resolve(".model.safetensors.0123456789abcdef.tmp"), "half");
        Files.createDirectories(dir.resolve(".step-00000004.fedcba9876543210.tmp").resolve("inner"));
        Files.writeString(dir.resolve(".hidden-but-mine.tmp"), "keep"); // not our shape
        Files.writeString(dir.resolve("notes.txt"), "keep");
        assertEquals(2, AtomicFiles.removeStaleTemporaries(dir).size());
        assertEquals(List.of(), temporaries());
        assertTrue(Files.exists(dir.resolve(".hidden-but-mine.tmp")) && Files.exists(dir.resolve("notes.txt")));
        assertFalse(AtomicFiles.isTemporary("model.safetensors"));
    }

    @Test
    void textFilesNameTheFileAndLine() throws IOException {
        Path t = dir.resolve("classes.txt");
        Files.write(t, new byte[] {'c', 'a', 't', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        IOException e = assertThrows(IOException.class, () -> TextFiles.readLines(t));
        assertTrue(e.getMessage().startsWith(t + ":2: not valid UTF-8"), e.getMessage());
        IOException d = assertThrows(IOException.class, () -> TextFiles.readString(dir));
        assertTrue(d.getMessage().contains("is a directory"), d.getMessage());
    }

    private List<String> temporaries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(AtomicFiles::isTemporary).toList();
        }
    }
}
