package radapter.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.models.tokenizer.Truncation;

/** {@code radapter tokenize}: CLIP BPE token ids of texts, as the text tower receives them. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Print the CLIP token ids of texts.")
final class TokenizeCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "bpe_simple_vocab_16e6.txt.gz, or a Hugging Face folder with vocab.json and merges.txt "
                    + "(default: CLIP's vocabulary built into radapter).")
    Path vocab;

    @Option(names = "--truncation", defaultValue = "KEEP_EOT", description = "KEEP_EOT (default), OFFICIAL or ERROR.")
    Truncation truncation;

    @Option(names = "--full", description = "Print the whole zero-padded row, not just up to the end token.")
    boolean full;

    @Parameters(arity = "1..*", paramLabel = "TEXT")
    List<String> texts;

    @Override
    public Integer call() {
        console.jsonOutput(json);
        ClipTokenizer tok = Vocab.load(vocab).withTruncation(truncation);
        List<Object> rows = new java.util.ArrayList<>();
        for (String t : texts) {
            long[] row = tok.tokenizeRow(t);
            int end = full ? row.length : Math.max(tok.eotIndex(row) + 1, 1);
            if (!full && tok.eotIndex(row) < 0) {
                end = row.length;
            }
            console.result("%s  pool@%d", Arrays.toString(Arrays.copyOf(row, end)), ClipTokenizer.poolIndex(row));
            java.util.Map<String, Object> r = new java.util.LinkedHashMap<>();
            r.put("text", t);
            r.put("ids", Arrays.stream(Arrays.copyOf(row, end)).boxed().toList());
            r.put("pool_index", (long) ClipTokenizer.poolIndex(row));
            rows.add(r);
        }
        console.json(rows);
        return 0;
    }
}
