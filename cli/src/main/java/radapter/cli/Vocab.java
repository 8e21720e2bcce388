package radapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import radapter.models.tokenizer.ClipTokenizer;

/** Finds the CLIP vocabulary a command was pointed at: a .gz BPE file or a Hugging Face folder. */
final class Vocab {
    private Vocab() {
    }

    static ClipTokenizer load(Path p) {
        if (Files.isDirectory(p)) {
            Path v = p.resolve("vocab.json");
            Path m = p.resolve("merges.txt");
            if (Files.isRegularFile(v) && Files.isRegularFile(m)) {
                return ClipTokenizer.fromHuggingFace(v, m);
            }
            throw new IllegalArgumentException(p + ": no vocab.json and merges.txt in this folder");
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + (Files.exists(p) ? ": not a regular file (a FIFO, socket or device)" : ": no such vocabulary file"));
        }
        return ClipTokenizer.fromBpeGz(p);
    }

    /** The vocabulary for {@code model}: explicit, or beside an HF checkpoint folder. */
    static ClipTokenizer forModel(Path model, Path explicit) {
        if (explicit != null) {
            return load(explicit);
        }
        Path dir = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) {
            return ClipTokenizer.fromHuggingFace(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        }
        Path gz = dir.resolve("bpe_simple_vocab_16e6.txt.gz");
        if (Files.isRegularFile(gz)) {
            return ClipTokenizer.fromBpeGz(gz);
        }
        throw new IllegalArgumentException("no vocabulary found beside " + model + "; give --vocab bpe_simple_vocab_16e6.txt.gz");
    }

    /** Like {@link #forModel}, or {@code null} when no vocabulary is given or found beside the model. */
    static ClipTokenizer forModelOrNull(Path model, Path explicit) {
        if (explicit != null) {
            return load(explicit);
        }
        try {
            return forModel(model, null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
