package radapter.data.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import radapter.tensor.Rng;

/**
 * Prompt templates as data: each template contains {@code {}}, which is replaced by a class name
 * ({@code "a photo of a {}."} → {@code "a photo of a red circle."}). Every occurrence of {@code {}}
 * is replaced, like Python's {@code str.format} with one positional argument.
 *
 * <p>Sets: {@link #openAiImageNet()} (the 80 templates of OpenAI's ImageNet prompt-engineering
 * notebook, in their published order, from the resource {@code radapter/data/templates/openai_imagenet.txt}),
 * {@link #simple()} (one template) and user files ({@link #fromFile}).
 */
public final class PromptTemplates {
    /** The placeholder for the class name. */
    public static final String PLACEHOLDER = "{}";
    private static final String OPENAI_RESOURCE = "/radapter/data/templates/openai_imagenet.txt";
    private static volatile PromptTemplates openAi;

    private final String name;
    private final List<String> templates;

    private PromptTemplates(String name, List<String> templates) {
        this.name = name;
        this.templates = List.copyOf(templates);
        if (this.templates.isEmpty()) {
            throw new DatasetException("template set '" + name + "' is empty");
        }
        for (int i = 0; i < this.templates.size(); i++) {
            if (!this.templates.get(i).contains(PLACEHOLDER)) {
                throw new DatasetException("template " + i + " of '" + name + "' has no {} placeholder: '" + this.templates.get(i) + "'");
            }
        }
    }

    /** These templates; each must contain {@code {}}. */
    public static PromptTemplates of(String name, List<String> templates) {
        return new PromptTemplates(Objects.requireNonNull(name), templates);
    }

    /** The one-template set {@code "a photo of a {}."}. */
    public static PromptTemplates simple() {
        return new PromptTemplates("simple", List.of("a photo of a {}."));
    }

    /** The 80 OpenAI ImageNet templates (CLIP's zero-shot ImageNet prompts), in published order. */
    public static PromptTemplates openAiImageNet() {
        PromptTemplates t = openAi;
        if (t == null) {
            try (InputStream in = PromptTemplates.class.getResourceAsStream(OPENAI_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + OPENAI_RESOURCE + " is missing from the class path");
                }
                List<String> lines = new ArrayList<>();
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) {
                        lines.add(line.strip());
                    }
                }
                t = new PromptTemplates("openai_imagenet", lines);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + OPENAI_RESOURCE, e);
            }
            openAi = t;
        }
        return t;
    }

    /**
     * Reads a template file: one template per line (UTF-8), each containing {@code {}}; blank lines
     * are ignored; surrounding whitespace is trimmed. A line without {@code {}} is an error naming
     * {@code file:line}.
     */
    public static PromptTemplates fromFile(Path file) throws IOException {
        List<String> lines = radapter.tensor.io.TextFiles.readLines(file);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i);
            if (i == 0 && s.startsWith("\uFEFF")) {
                s = s.substring(1);
            }
            s = s.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (!s.contains(PLACEHOLDER)) {
                throw new DatasetException(file, i + 1, "template has no {} placeholder for the class name: '" + s + "'");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new DatasetException(file, 0, "no templates in the file");
        }
        return new PromptTemplates(file.getFileName().toString(), out);
    }

    /** The set's name ({@code simple}, {@code openai_imagenet}, or the file name). */
    public String name() {
        return name;
    }

    /** Number of templates. */
    public int size() {
        return templates.size();
    }

    /** Template {@code i}, with its {@code {}}. */
    public String template(int i) {
        return templates.get(i);
    }

    /** The templates (unmodifiable). */
    public List<String> templates() {
        return templates;
    }

    /** Template {@code i} filled with {@code className}. */
    public String format(int i, String className) {
        return fill(templates.get(i), className);
    }

    /** Every template filled with {@code className}, in order (for zero-shot heads). */
    public List<String> formatAll(String className) {
        List<String> out = new ArrayList<>(templates.size());
        for (String t : templates) {
            out.add(fill(t, className));
        }
        return out;
    }

    /** A template drawn uniformly with {@code rng}, filled with {@code className}. */
    public String random(Rng rng, String className) {
        return format(rng.nextInt(templates.size()), className);
    }

    /** {@code template} with every {@code {}} replaced by {@code className}. */
    public static String fill(String template, String className) {
        return template.replace(PLACEHOLDER, className);
    }

    @Override
    public String toString() {
        return "PromptTemplates[" + name + ", " + templates.size() + " templates]";
    }
}
