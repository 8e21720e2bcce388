package radapter.adapters.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import radapter.adapters.report.Plots;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;

/**
 * The results of one evaluation run, and their files: {@code report.md} for people,
 * {@code results.csv} for spreadsheets, {@code results.json} for programs, and with an α sweep
 * {@code alpha_sweep.csv} and the ID-against-OOD plot {@code alpha_sweep.png}.
 *
 * <p>Classification results hold fractions (as {@link Metrics#topK} returns them), retrieval
 * results percent (as {@link Metrics#recall} does); every file writes percent, in columns and keys
 * ending in {@code _pct}, so nobody has to guess. The OOD average is the plain mean of the shifted
 * sets' top-1, the same number the console prints.
 */
public final class EvalReport {
    /**
     * One classification set.
     *
     * @param dataset         its name
     * @param inDistribution  true for the in-distribution set (the first), false for a shift
     * @param top1            top-1 accuracy, a fraction
     * @param top5            top-5 accuracy (top-C with fewer than 5 classes), a fraction
     * @param count           images scored
     * @param skipped         images that could not be read
     * @param classes         classes the logits covered
     * @param subset          the class subset the set was scored on, or {@code null} for all classes
     */
    public record Classification(String dataset, boolean inDistribution, double top1, double top5, int count, int skipped, int classes,
            ClassSubset subset) {
        /** {@code ID} or {@code shift}. */
        public String role() {
            return inDistribution ? "ID" : "shift";
        }
    }

    /** One retrieval set: recall in percent at {@code recall.ks()} in both directions. */
    public record Retrieval(String dataset, int images, int captions, Metrics.Recall recall) {
    }

    /**
     * One α of a weight-space-ensembling sweep: top-1 (fractions) of every classification set, in
     * order, the first being the in-distribution set.
     */
    public record AlphaPoint(double alpha, Map<String, Double> top1) {
        public AlphaPoint {
            if (top1.isEmpty()) {
                throw new IllegalArgumentException("an α-sweep point needs at least one set");
            }
            top1 = Collections.unmodifiableMap(new LinkedHashMap<>(top1));
        }

        /** Top-1 of the in-distribution (first) set. */
        public double id() {
            return top1.values().iterator().next();
        }

        /** Mean top-1 of the other sets; NaN when there are none. */
        public double oodAverage() {
            return mean(new ArrayList<>(top1.values()).subList(1, top1.size()));
        }
    }

    private final Map<String, String> settings;
    private final List<Classification> classification = new ArrayList<>();
    private final List<Retrieval> retrieval = new ArrayList<>();
    private final List<AlphaPoint> sweep = new ArrayList<>();

    /** An empty report; {@code settings} (model, adapters, α, classifier…) head every file, in order. */
    public EvalReport(Map<String, String> settings) {
        this.settings = new LinkedHashMap<>(settings);
    }

    /** Adds a classification set (in order: the in-distribution set first); returns this report. */
    public EvalReport add(Classification c) {
        classification.add(c);
        return this;
    }

    /** Adds a retrieval set; returns this report. */
    public EvalReport add(Retrieval r) {
        retrieval.add(r);
        return this;
    }

    /** Adds one α of a weight-space-ensembling sweep, in sweep order; returns this report. */
    public EvalReport add(AlphaPoint p) {
        sweep.add(p);
        return this;
    }

    /** What was evaluated (model, adapters, α, classifier…), in order. */
    public Map<String, String> settings() {
        return Collections.unmodifiableMap(settings);
    }

    /** The classification sets, in the order added. */
    public List<Classification> classification() {
        return Collections.unmodifiableList(classification);
    }

    /** The retrieval sets, in the order added. */
    public List<Retrieval> retrieval() {
        return Collections.unmodifiableList(retrieval);
    }

    /** The α-sweep points, in the order added (empty without a sweep). */
    public List<AlphaPoint> alphaSweep() {
        return Collections.unmodifiableList(sweep);
    }

    /** Mean top-1 (fraction) of the shifted sets, summed in order; NaN when there are none. */
    public double oodAverage() {
        List<Double> v = new ArrayList<>();
        for (Classification c : classification) {
            if (!c.inDistribution()) {
                v.add(c.top1());
            }
        }
        return mean(v);
    }

    private static double mean(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return sum / v.size();
    }

    /**
     * Writes {@code report.md}, {@code results.csv} and {@code results.json} into {@code dir}
     * (created if needed), and with an α sweep also {@code alpha_sweep.csv} and, when there are
     * shifted sets to plot against, {@code alpha_sweep.png}. Each file is replaced atomically.
     *
     * @return the files written
     */
    public List<Path> write(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(put(dir.resolve("report.md"), markdown()));
        out.add(put(dir.resolve("results.csv"), csv()));
        out.add(put(dir.resolve("results.json"), Json.writePretty(toJson())));
        if (!sweep.isEmpty()) {
            out.add(put(dir.resolve("alpha_sweep.csv"), alphaSweepCsv()));
            if (sweep.stream().allMatch(p -> p.top1().size() > 1)) {
                double[] a = new double[sweep.size()];
                double[] id = new double[sweep.size()];
                double[] ood = new double[sweep.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = sweep.get(i).alpha();
                    id[i] = sweep.get(i).id();
                    ood[i] = sweep.get(i).oodAverage();
                }
                Path png = dir.resolve("alpha_sweep.png");
                Plots.alphaSweep(png, a, id, ood, Map.of());
                out.add(png);
            }
        }
        return out;
    }

    private static Path put(Path file, String content) throws IOException {
        AtomicFiles.writeString(file, content);
        return file;
    }

    // ---------------------------------------------------------------- Markdown

    /** The report as Markdown: settings, then a table per kind of result, with two decimals like the console. */
    public String markdown() {
        StringBuilder md = new StringBuilder("# radapter eval report\n\n");
        if (!settings.isEmpty()) {
            md.append("| setting | value |\n|---|---|\n");
            settings.forEach((k, v) -> md.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
            md.append('\n');
        }
        if (!classification.isEmpty()) {
            md.append("## Classification\n\nTop-1 and top-5 accuracy in percent. A set scored on a class subset had its logits "
                    + "restricted to those classes.\n\n");
            md.append("| dataset | role | classes | images | skipped | top-1 | top-5 |\n|---|---|---|---:|---:|---:|---:|\n");
            for (Classification c : classification) {
                md.append("| ").append(cell(c.dataset())).append(" | ").append(c.role()).append(" | ")
                        .append(c.subset() == null ? "all " + c.classes() : cell(c.subset().describe())).append(" | ")
                        .append(c.count()).append(" | ").append(c.skipped()).append(" | ").append(pct2(c.top1())).append(" | ")
                        .append(pct2(c.top5())).append(" |\n");
            }
            double ood = oodAverage();
            if (!Double.isNaN(ood)) {
                md.append("| **OOD average** | | | | | **").append(pct2(ood)).append("** | |\n");
            }
            md.append('\n');
        }
        if (!retrieval.isEmpty()) {
            md.append("## Retrieval\n\nRecall@K in percent; the median rank counts from 1.\n\n");
            int[] ks = retrieval.getFirst().recall().ks();
            md.append("| dataset | images | captions |");
            for (int k : ks) {
                md.append(" image→text R@").append(k).append(" |");
            }
            for (int k : ks) {
                md.append(" text→image R@").append(k).append(" |");
            }
            md.append(" median rank image→text | median rank text→image |\n|---|---:|---:|");
            md.append("---:|".repeat(2 * ks.length + 2)).append('\n');
            for (Retrieval r : retrieval) {
                md.append("| ").append(cell(r.dataset())).append(" | ").append(r.images()).append(" | ").append(r.captions()).append(" |");
                for (double v : r.recall().imageToText()) {
                    md.append(' ').append(fmt2(v)).append(" |");
                }
                for (double v : r.recall().textToImage()) {
                    md.append(' ').append(fmt2(v)).append(" |");
                }
                md.append(' ').append(fmt1(r.recall().medianRankI2T())).append(" | ").append(fmt1(r.recall().medianRankT2I())).append(" |\n");
            }
            md.append('\n');
        }
        if (!sweep.isEmpty()) {
            md.append("## Weight-space ensembling (α sweep, un-merged adapters)\n\nα = 0 is the model without adapters, α = 1 the "
                    + "adapters at full strength. Top-1 in percent.\n\n| α | ID | OOD avg |");
            List<String> names = new ArrayList<>(sweep.getFirst().top1().keySet());
            for (String n : names) {
                md.append(' ').append(cell(n)).append(" |");
            }
            md.append("\n|---:|---:|---:|").append("---:|".repeat(names.size())).append('\n');
            for (AlphaPoint p : sweep) {
                md.append("| ").append(fmtAlpha(p.alpha())).append(" | ").append(pct2(p.id())).append(" | ").append(pct2(p.oodAverage())).append(" |");
                for (double v : p.top1().values()) {
                    md.append(' ').append(pct2(v)).append(" |");
                }
                md.append('\n');
            }
            md.append("\nFiles: `alpha_sweep.csv`");
            if (sweep.getFirst().top1().size() > 1) {
                md.append(", `alpha_sweep.png`\n\n![ID against OOD accuracy over α](alpha_sweep.png)");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static String pct2(double fraction) {
        return Double.isNaN(fraction) ? "–" : fmt2(100 * fraction);
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmtAlpha(double a) {
        return java.math.BigDecimal.valueOf(a).stripTrailingZeros().toPlainString();
    }

    // ---------------------------------------------------------------- CSV

    /**
     * One row per set with the union of the classification and retrieval columns (cells that do
     * not apply stay empty), plus an {@code OOD average} row; RFC 4180 quoting, full precision.
     */
    public String csv() {
        List<String> header = new ArrayList<>(List.of("task", "dataset", "role", "classes", "subset", "images", "captions", "skipped",
                "top1_pct", "top5_pct"));
        int[] ks = retrieval.isEmpty() ? new int[0] : retrieval.getFirst().recall().ks();
        for (int k : ks) {
            header.add("i2t_r" + k + "_pct");
        }
        for (int k : ks) {
            header.add("t2i_r" + k + "_pct");
        }
        if (ks.length > 0) {
            header.add("i2t_median_rank");
            header.add("t2i_median_rank");
        }
        StringBuilder sb = new StringBuilder();
        row(sb, header);
        int extra = header.size() - 10;
        for (Classification c : classification) {
            List<String> r = new ArrayList<>(List.of("classification", c.dataset(), c.role(), Integer.toString(c.classes()),
                    c.subset() == null ? "" : c.subset().source(), Integer.toString(c.count()), "", Integer.toString(c.skipped()),
                    num(100 * c.top1()), num(100 * c.top5())));
            r.addAll(Collections.nCopies(extra, ""));
            row(sb, r);
        }
        double ood = oodAverage();
        if (!Double.isNaN(ood)) {
            List<String> r = new ArrayList<>(List.of("classification", "OOD average", "ood-average", "", "", "", "", "", num(100 * ood), ""));
            r.addAll(Collections.nCopies(extra, ""));
            row(sb, r);
        }
        for (Retrieval t : retrieval) {
            List<String> r = new ArrayList<>(List.of("retrieval", t.dataset(), "", "", "", Integer.toString(t.images()),
                    Integer.toString(t.captions()), "", "", ""));
            for (double v : t.recall().imageToText()) {
                r.add(num(v));
            }
            for (double v : t.recall().textToImage()) {
                r.add(num(v));
            }
            r.add(num(t.recall().medianRankI2T()));
            r.add(num(t.recall().medianRankT2I()));
            row(sb, r);
        }
        return sb.toString();
    }

    /** {@code alpha, id_top1_pct, ood_average_top1_pct}, then each set's top-1 in percent. */
    public String alphaSweepCsv() {
        StringBuilder sb = new StringBuilder();
        if (sweep.isEmpty()) {
            return "";
        }
        List<String> header = new ArrayList<>(List.of("alpha", "id_top1_pct", "ood_average_top1_pct"));
        for (String n : sweep.getFirst().top1().keySet()) {
            header.add(n + "_top1_pct");
        }
        row(sb, header);
        for (AlphaPoint p : sweep) {
            List<String> r = new ArrayList<>(List.of(num(p.alpha()), num(100 * p.id()), num(100 * p.oodAverage())));
            for (double v : p.top1().values()) {
                r.add(num(100 * v));
            }
            row(sb, r);
        }
        return sb.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static void row(StringBuilder sb, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        sb.append('\n');
    }

    // ---------------------------------------------------------------- JSON

    /** The report as JSON-ready maps and lists (what {@code results.json} holds). */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", new LinkedHashMap<Object, Object>(settings));
        List<Object> cls = new ArrayList<>();
        for (Classification c : classification) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", c.dataset());
            m.put("role", c.role());
            m.put("top1_pct", 100 * c.top1());
            m.put("top5_pct", 100 * c.top5());
            m.put("images", (long) c.count());
            m.put("skipped", (long) c.skipped());
            m.put("classes", (long) c.classes());
            if (c.subset() != null) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("source", c.subset().source());
                s.put("classes", (long) c.subset().size());
                s.put("of", (long) c.subset().totalClasses());
                s.put("names", new ArrayList<Object>(c.subset().names()));
                m.put("subset", s);
            } else {
                m.put("subset", null);
            }
            cls.add(m);
        }
        json.put("classification", cls);
        double ood = oodAverage();
        json.put("ood_average_top1_pct", Double.isNaN(ood) ? null : 100 * ood);
        List<Object> ret = new ArrayList<>();
        for (Retrieval r : retrieval) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", r.dataset());
            m.put("images", (long) r.images());
            m.put("captions", (long) r.captions());
            Map<String, Object> i2t = new LinkedHashMap<>();
            Map<String, Object> t2i = new LinkedHashMap<>();
            int[] ks = r.recall().ks();
            for (int q = 0; q < ks.length; q++) {
                i2t.put("r" + ks[q] + "_pct", r.recall().imageToText()[q]);
                t2i.put("r" + ks[q] + "_pct", r.recall().textToImage()[q]);
            }
            i2t.put("median_rank", r.recall().medianRankI2T());
            t2i.put("median_rank", r.recall().medianRankT2I());
            m.put("image_to_text", i2t);
            m.put("text_to_image", t2i);
            ret.add(m);
        }
        json.put("retrieval", ret);
        List<Object> sw = new ArrayList<>();
        for (AlphaPoint p : sweep) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alpha", p.alpha());
            m.put("id_top1_pct", 100 * p.id());
            double o = p.oodAverage();
            m.put("ood_average_top1_pct", Double.isNaN(o) ? null : 100 * o);
            Map<String, Object> per = new LinkedHashMap<>();
            p.top1().forEach((k, v) -> per.put(k, 100 * v));
            m.put("top1_pct", per);
            sw.add(m);
        }
        json.put("alpha_sweep", sw);
        return json;
    }
}
