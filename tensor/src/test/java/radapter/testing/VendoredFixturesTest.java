package radapter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The fixtures vendored in {@code testdata/fixtures} are byte for byte those of
 * {@code ../shared/fixtures}: same file names, same bytes. Runs where both are present (CI and
 * the developers' machines); a clone without {@code ../shared} has nothing to compare against.
 */
class VendoredFixturesTest {
    @Test
    void vendoredCopyIsByteIdenticalToShared() throws IOException {
        Path shared = Shared.sharedOrNull();
        Path vendored = Shared.vendoredOrNull();
        Assumptions.assumeTrue(shared != null, "skipped: ../shared is not present, nothing to compare the vendored copy with");
        assertTrue(vendored != null, "the vendored copy " + Shared.VENDORED_FOLDER + "/fixtures is missing from the repository");
        Path a = shared.resolve("fixtures");
        Path b = vendored.resolve("fixtures");
        TreeSet<String> sharedFiles = files(a);
        TreeSet<String> vendoredFiles = files(b);
        assertEquals(sharedFiles, vendoredFiles, "file lists differ between " + a + " and " + b);
        List<String> differing = new ArrayList<>();
        for (String f : sharedFiles) {
            if (Files.mismatch(a.resolve(f), b.resolve(f)) != -1) {
                differing.add(f);
            }
        }
        assertEquals(List.of(), differing, "vendored files differ from " + a + "; copy them again (see testdata/README.md)");
    }

    @Test
    void helperPrefersSharedAndFallsBackToTheVendoredCopy() {
        Path root = Shared.root();
        Path shared = Shared.sharedOrNull();
        assertEquals(shared != null ? shared : Shared.vendoredOrNull(), root);
        assertEquals(shared == null, Shared.usesVendoredCopy());
        // The vocabulary resolves in both cases: from shared/clip or from the models module's resource.
        Path vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz");
        assertTrue(Files.isRegularFile(vocab), vocab + " is not a file");
        assertTrue(Files.isRegularFile(Shared.fixtures("tiny_clip/model_openai.safetensors")));
    }

    private static TreeSet<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            TreeSet<String> out = new TreeSet<>();
            s.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
            return out;
        }
    }
}
