package radapter.cli;

import picocli.CommandLine.Option;

/** {@code --json}: the mixin of the commands that produce numbers (see {@link Console}). */
final class JsonOption {
    @Option(names = "--json", description = "Print the result as one JSON document on standard output (human lines go to standard error).")
    boolean on;
}
