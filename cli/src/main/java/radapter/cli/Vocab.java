package radapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import radapter.models.clip.ClipConfig;
import radapter.models.tokenizer.ClipTokenizer;

/**
 * Finds the CLIP vocabulary a command was pointed at: a .gz BPE file or a Hugging Face folder,
 * else the one beside the model, else the vocabulary the models module ships.
 */
final class Vocab {
    private Vocab() {
    }

    /** {@code --vocab}: a gz file or a folder with vocab.json and merges.txt; null for the shipped vocabulary. */
    static ClipTokenizer load(Path p) {
        if (p == null) {
            return ClipTokenizer.fromDefaultBpe();
        }
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

    /**
     * The tokenizer for {@code model}, cut to its context length: {@code explicit} when given,
     * else the files beside the checkpoint (Hugging Face {@code vocab.json} + {@code merges.txt},
     * or {@code bpe_simple_vocab_16e6.txt.gz}), else CLIP's shipped vocabulary when the model's
     * text tower has CLIP's 49,408 token ids (every OpenAI, open_clip and Hugging Face CLIP).
     */
    static ClipTokenizer forModel(Path model, Path explicit, ClipConfig config) {
        return besideOrDefault(model, explicit, config).withContextLength(config.text().contextLength());
    }

    private static ClipTokenizer besideOrDefault(Path model, Path explicit, ClipConfig config) {
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
        int size = config.text().vocabSize();
        if (size == ClipTokenizer.DEFAULT_VOCAB_SIZE) {
            return ClipTokenizer.fromDefaultBpe();
        }
        throw new IllegalArgumentException("no vocabulary found beside " + model + ", and its text tower has " + size
                + " token ids, not CLIP's " + ClipTokenizer.DEFAULT_VOCAB_SIZE + ", so the built-in CLIP vocabulary does not fit; give --vocab FILE");
    }

    /** Like {@link #forModel}, or {@code null} when no vocabulary is given, found beside the model or fits the built-in one. */
    static ClipTokenizer forModelOrNull(Path model, Path explicit, ClipConfig config) {
        if (explicit != null) {
            return forModel(model, explicit, config);
        }
        try {
            return forModel(model, null, config);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
