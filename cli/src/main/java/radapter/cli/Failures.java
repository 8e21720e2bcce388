package radapter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import radapter.data.dataset.DatasetException;
import radapter.data.image.ImageDecodeException;
import radapter.data.loader.DataLoadException;
import radapter.models.tokenizer.VocabularyException;

/**
 * The one place every command's failures are turned into what a user sees: a user mistake (bad
 * input, a missing file, a bad option value) is one line {@code radapter: MESSAGE} and exit code
 * {@value #USER_ERROR}; a parameter mistake adds one hint line; running out of memory says what to
 * change; anything else is a bug in radapter and prints one bug-report line (exit
 * {@value #INTERNAL_ERROR}). A stack trace is printed only when {@code RADAPTER_TRACE=1} is set.
 */
final class Failures implements IExecutionExceptionHandler, IParameterExceptionHandler {
    /** A user mistake: bad input or a bad option value. */
    static final int USER_ERROR = 2;
    /** The machine ran out of a resource (memory). */
    static final int RESOURCE_ERROR = 3;
    /** A bug in radapter. */
    static final int INTERNAL_ERROR = 70;

    /** Longest message printed; longer ones (a huge value echoed back) are cut. */
    private static final int MAX_MESSAGE = 600;

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        if (!(ex instanceof UnmatchedArgumentException) && !cmd.getUnmatchedArguments().isEmpty()) {
            // A misspelt option also leaves a required one "missing": the misspelling is the news.
            ex = new UnmatchedArgumentException(cmd, cmd.getUnmatchedArguments());
        }
        err.println(prefix(cmd) + oneLine(ex.getMessage()));
        if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            err.println("Did you mean: " + String.join(" or ", u.getSuggestions()) + "?");
        }
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options and their defaults.");
        err.flush();
        return USER_ERROR;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        return report(ex, cmd.getErr());
    }

    /** Prints {@code failure} as described in the class comment and returns the exit code. */
    static int report(Throwable failure, PrintWriter err) {
        Throwable t = unwrap(failure);
        int code;
        if (t instanceof OutOfMemoryError) {
            err.println("radapter: out of memory (" + oneLine(t.getMessage()) + "); give a smaller --batch-size, fewer inputs at once, "
                    + "or more heap (-Xmx in jvm.options)");
            code = RESOURCE_ERROR;
        } else if (isUserError(t)) {
            // Library messages sometimes carry the prefix already (loader warnings): never twice.
            err.println("radapter: " + userMessage(t).replaceFirst("^(radapter: )+", ""));
            code = USER_ERROR;
        } else {
            StackTraceElement at = t.getStackTrace().length > 0 ? t.getStackTrace()[0] : null;
            err.println("radapter: internal error, a bug in radapter (please report it with the command line that caused it): "
                    + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + oneLine(t.getMessage()))
                    + (at == null ? "" : " at " + at) + "; RADAPTER_TRACE=1 prints the stack trace");
            code = INTERNAL_ERROR;
        }
        if ("1".equals(System.getenv("RADAPTER_TRACE"))) {
            failure.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Failures caused by what the user gave: input files, option values, the file system. */
    static boolean isUserError(Throwable t) {
        return t instanceof IllegalArgumentException // includes NumberFormatException and Json.JsonException
                || t instanceof IllegalStateException // includes TrainingDivergedException
                || t instanceof IOException
                || t instanceof DatasetException
                || t instanceof DataLoadException
                || t instanceof ImageDecodeException
                || t instanceof VocabularyException
                || t instanceof UnsupportedOperationException;
    }

    /** Peels wrappers that add nothing a user needs (worker-thread and unchecked-I/O wrappers). */
    static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        for (int i = 0; i < 10; i++) {
            Throwable c = cur.getCause();
            boolean wrapper = cur instanceof UncheckedIOException || cur instanceof ExecutionException || cur instanceof CompletionException
                    || (cur instanceof RuntimeException && c != null && cur.getMessage() != null && cur.getMessage().equals(c.toString()));
            if (!wrapper || c == null) {
                return cur;
            }
            cur = c;
        }
        return cur;
    }

    /** The user-facing text of a failure: file-system errors phrased like the shell phrases them. */
    static String userMessage(Throwable t) {
        String msg;
        if (t instanceof NoSuchFileException e) {
            msg = e.getFile() + ": no such file or directory" + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        } else if (t instanceof AccessDeniedException e) {
            msg = e.getFile() + ": permission denied";
        } else if (t instanceof FileAlreadyExistsException e) {
            msg = e.getFile() + ": already exists" + (e.getReason() != null ? " (" + e.getReason() + ")" : "");
        } else if (t instanceof NotDirectoryException e) {
            msg = e.getFile() + ": not a directory";
        } else if (t instanceof DirectoryNotEmptyException e) {
            msg = e.getFile() + ": directory not empty";
        } else if (t instanceof FileSystemException e) {
            msg = e.getFile() + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName())
                    + (e.getOtherFile() != null ? " (" + e.getOtherFile() + ")" : "");
        } else if (t instanceof CharacterCodingException) {
            msg = "a text file is not valid UTF-8";
        } else if (t.getMessage() == null || t.getMessage().isBlank()) {
            msg = t.getClass().getSimpleName().replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase(Locale.ROOT);
        } else {
            msg = t.getMessage();
        }
        return oneLine(msg);
    }

    /** {@code s} on one line (line breaks become "; "), control characters removed, cut to a sane length. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String flat = s.strip().replaceAll("\\s*\\R\\s*", "; ").replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= MAX_MESSAGE ? flat : flat.substring(0, MAX_MESSAGE) + "…";
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }
}
