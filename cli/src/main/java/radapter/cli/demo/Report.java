package radapter.cli.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.adapters.train.LinearProbe;
import radapter.data.synthetic.Split;
import radapter.models.clip.ClipConfig;
import radapter.tensor.Backends;
import radapter.tensor.io.Json;

/** Writes the demo's {@code report.md} and {@code results.json}. */
final class Report {
    private Report() {
    }

    static String table(List<Demo.Scores> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | ID (test) |");
        for (Split sp : Demo.SHIFTS) {
            sb.append(' ').append(sp.id()).append(" |");
        }
        sb.append(" OOD avg | trainable params | training time |\n|---|---:|");
        sb.append("---:|".repeat(Demo.SHIFTS.length)).append("---:|---:|---:|\n");
        for (Demo.Scores r : rows) {
            sb.append("| ").append(r.method()).append(" | ").append(pct(r.accuracy().get(Split.TEST.id()))).append(" |");
            for (Split sp : Demo.SHIFTS) {
                sb.append(' ').append(pct(r.accuracy().get(sp.id()))).append(" |");
            }
            sb.append(' ').append(pct(r.oodAverage())).append(" | ")
                    .append(r.trainable() > 0 ? String.format("%,d", r.trainable()) : "–").append(" | ")
                    .append(r.trainSeconds() > 0 ? String.format("%.1f s", r.trainSeconds()) : "–").append(" |\n");
        }
        return sb.toString();
    }

    static String pct(double v) {
        return String.format("%.1f%%", 100 * v);
    }

    /** Everything one run measured that the report shows. */
    record Run(Demo.Settings s, List<Demo.Scores> rows, double[] alphas, double[] raId, double[] raOod, double[] wiseId, double[] wiseOod,
            boolean wiseEndsExact, double mergeGap, double pretrainSeconds, List<Double> pretrainLosses, double totalSeconds, ClipConfig cfg,
            LinearProbe.Result probe) {
        Demo.Scores row(String method) {
            for (Demo.Scores r : rows) {
                if (r.method().equals(method)) {
                    return r;
                }
            }
            throw new IllegalStateException("no row " + method);
        }
    }

    /** The paragraph that explains the synthetic world (also in the README). */
    static final String WORLD = """
            **The synthetic world.** Twelve classes, a named colour (blue, green, red) times a shape (circle, square, star, \
            triangle). The zero-shot model is pre-trained with the CLIP loss on a broad mix that shows every class in every \
            style thinly (solid, outlined, patterned; pale and dark shades; tiny, huge, squashed and rotated shapes; plain, \
            gradient and textured backgrounds) with descriptive captions, so it is clearly above chance on every shifted set. \
            Half of the pre-training images also carry a small dark *stamp* in one of 12 border cells, at random and never \
            mentioned in a caption, so the zero-shot model learns to ignore it. The in-distribution set is narrow: solid \
            shapes on light plain backgrounds, and every image carries the stamp in the cell that belongs to its class, \
            like the watermark of the one source a fine-tuning set was collected from. That shortcut is perfect and \
            effortless in-distribution, so fitting the set rewrites the features towards it (feature distortion). The four \
            shifted test sets (sketch: pencil outlines; texture: patterned shapes on textured backgrounds; palette: pastel \
            or dark shades on coloured backgrounds; geometry: tiny, cropped, rotated or squashed shapes) show styles the \
            fine-tuning set never shows, and every image carries a stamp in a random cell: the cue is there but says \
            nothing. A model that keeps the zero-shot features and adds what the ID set teaches about the classes gains \
            off-distribution; one that trades them for the stamp loses.""";

    static void write(Run run) throws IOException {
        Demo.Settings s = run.s();
        List<Demo.Scores> rows = run.rows();
        ClipConfig cfg = run.cfg();
        LinearProbe.Result probe = run.probe();
        StringBuilder md = new StringBuilder();
        md.append("# radapter demo report\n\n");
        md.append(String.format("Seed %d, %s run, %.1f s in total on %d cores (JDK %s, backend `%s`).%n%n", s.seed(),
                s.quick() ? "quick" : "full", run.totalSeconds(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Backends.current().name()));
        md.append(WORLD).append("\n\n");
        md.append("A small CLIP (vision: width ").append(cfg.vision().width()).append(", ").append(cfg.vision().layers())
                .append(" layers, patch ").append(cfg.vision().patchSize()).append(" on ").append(cfg.vision().imageSize())
                .append(" px; text: width ").append(cfg.text().width()).append(", ").append(cfg.text().layers())
                .append(" layers) was pre-trained from scratch with the CLIP loss on the broad synthetic mix (")
                .append(s.pretrainSteps()).append(" steps of ").append(s.pretrainBatch())
                .append(String.format(" pairs, %.1f s, final loss %.3f). It is the zero-shot model.%n%n", run.pretrainSeconds(),
                        run.pretrainLosses().isEmpty() ? Double.NaN : run.pretrainLosses().getLast()));
        md.append("Each method was then fine-tuned for ").append(s.finetuneSteps()).append(" steps of ").append(s.finetuneBatch())
                .append(" images on the in-distribution set and evaluated on the in-distribution test set and four shifted sets (")
                .append(s.evalPerSplit()).append(" images each), with a zero-shot head (").append(Demo.TEMPLATES.size())
                .append(" templates) except the linear probe and LP-FT, which use their linear heads. ")
                .append(String.format("The linear probe is a logistic regression (L-BFGS) on the zero-shot model's frozen, normalised "
                        + "image features of the same set, with λ = %.0e chosen on a held-out %d of its %d images; LP-FT fine-tunes "
                        + "the image tower from that probe's head with the cross-entropy loss; WiSE-FT averages the zero-shot and "
                        + "the fully fine-tuned weights. Top-1 accuracy:%n%n",
                        probe.lambda(), probe.validationCount(), probe.trainCount() + probe.validationCount()));
        md.append(table(rows)).append('\n');
        md.append("## What happened\n\n");
        for (String line : sentences(run)) {
            md.append("- ").append(line).append('\n');
        }
        md.append('\n');
        md.append("## The paper's shape, checked on this run\n\n");
        for (String line : checks(run)) {
            md.append("- ").append(line).append('\n');
        }
        md.append('\n');
        md.append(String.format("The merged R-Adapter model (adapters folded into `out_proj`/`c_proj` at α = 0.5) differs from the "
                + "un-merged one by at most %.2f accuracy points on any set; it is saved as `model.safetensors` (OpenAI/open_clip "
                + "layout, with `model.json` and `vocab.txt`).%n%n", 100 * run.mergeGap()));
        md.append("## Weight-space ensembling (α sweeps)\n\n| α | R-Adapter ID | R-Adapter OOD avg | WiSE-FT ID | WiSE-FT OOD avg |\n"
                + "|---:|---:|---:|---:|---:|\n");
        double[] alphas = run.alphas();
        for (int i = 0; i < alphas.length; i++) {
            md.append(String.format("| %.2f | %s | %s | %s | %s |%n", alphas[i], pct(run.raId()[i]), pct(run.raOod()[i]), pct(run.wiseId()[i]),
                    pct(run.wiseOod()[i])));
        }
        md.append("\nα = 0 is the zero-shot model and α = 1 the full-strength adapter model (spec §5.4) or the fully fine-tuned model. ")
                .append(run.wiseEndsExact()
                        ? "WiSE-FT at α = 0 scored exactly as zero-shot and at α = 1 exactly as full fine-tuning, on every set.\n\n"
                        : "WiSE-FT's ends did NOT reproduce zero-shot and full fine-tuning exactly: a bug.\n\n");
        md.append("Plots: `pretrain_loss.png`, `finetune_loss.png`, `alpha_sweep.png`.\n");
        Demo.write(s.out().resolve("report.md"), md.toString());

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("seed", s.seed());
        json.put("quick", s.quick());
        json.put("total_seconds", run.totalSeconds());
        json.put("pretrain_seconds", run.pretrainSeconds());
        json.put("pretrain_final_loss", run.pretrainLosses().isEmpty() ? null : run.pretrainLosses().getLast());
        List<Object> methods = new ArrayList<>();
        for (Demo.Scores r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", r.method());
            m.put("accuracy", new LinkedHashMap<>(r.accuracy()));
            m.put("ood_average", r.oodAverage());
            m.put("trainable_parameters", r.trainable());
            m.put("training_seconds", r.trainSeconds());
            methods.add(m);
        }
        json.put("methods", methods);
        json.put("alpha_sweep", sweep(alphas, run.raId(), run.raOod()));
        json.put("wise_ft_alpha_sweep", sweep(alphas, run.wiseId(), run.wiseOod()));
        json.put("wise_ft_ends_exact", run.wiseEndsExact());
        json.put("merge_max_accuracy_gap", run.mergeGap());
        Map<String, Object> shape = new LinkedHashMap<>();
        for (Check c : checkList(run)) {
            shape.put(c.key(), c.held());
        }
        json.put("paper_shape", shape);
        Map<String, Object> lp = new LinkedHashMap<>();
        lp.put("lambda", probe.lambda());
        lp.put("held_out", (long) probe.validationCount());
        List<Object> lambdas = new ArrayList<>();
        for (LinearProbe.Candidate c : probe.sweep()) {
            lambdas.add(Map.of("lambda", c.lambda(), "held_out_top1", c.validationTop1(), "iterations", (long) c.iterations()));
        }
        lp.put("sweep", lambdas);
        json.put("linear_probe", lp);
        Demo.write(s.out().resolve("results.json"), Json.writePretty(json));
    }

    private static List<Object> sweep(double[] alphas, double[] id, double[] ood) {
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < alphas.length; i++) {
            l.add(Map.of("alpha", alphas[i], "id", id[i], "ood_average", ood[i]));
        }
        return l;
    }

    /** One sentence per method: what it gained or lost in and off distribution against zero-shot. */
    static List<String> sentences(Run run) {
        Demo.Scores zs = run.row(Demo.ZERO_SHOT);
        double zsId = id(zs);
        List<String> out = new ArrayList<>();
        out.add(String.format("**%s** is the reference: %s ID, %s on the shifted sets on average (chance is %s).", Demo.ZERO_SHOT,
                pct(zsId), pct(zs.oodAverage()), pct(1.0 / 12)));
        for (Demo.Scores r : run.rows()) {
            if (r == zs) {
                continue;
            }
            if (r.method().equals(Demo.R_ADAPTER_MERGED)) {
                out.add(String.format("**%s** scored %s on every set as the un-merged adapters (largest gap %.2f points), with no extra "
                        + "inference cost.", r.method(), run.mergeGap() == 0 ? "exactly the same" : "almost the same", 100 * run.mergeGap()));
                continue;
            }
            out.add(String.format("**%s** %s %s ID and %s %s OOD against zero-shot (%s / %s).", r.method(), verb(id(r) - zsId),
                    points(id(r) - zsId), verb(r.oodAverage() - zs.oodAverage()), points(r.oodAverage() - zs.oodAverage()), pct(id(r)),
                    pct(r.oodAverage())));
        }
        return out;
    }

    /** A condition of the "what it must show", evaluated on this run's numbers. */
    record Check(String key, boolean held, String text) {
    }

    static List<Check> checkList(Run run) {
        Demo.Scores zs = run.row(Demo.ZERO_SHOT);
        Demo.Scores ft = run.row(Demo.FULL);
        Demo.Scores ra = run.row(Demo.R_ADAPTER_MERGED);
        Demo.Scores wise = run.row(Demo.WISE_FT);
        List<Check> l = new ArrayList<>();
        l.add(new Check("full_ft_gains_id", id(ft) - id(zs) >= 0.10, String.format(
                "full fine-tuning beats zero-shot ID by at least 10 points (%s)", signed(id(ft) - id(zs)))));
        l.add(new Check("full_ft_loses_ood", ft.oodAverage() < zs.oodAverage(), String.format(
                "full fine-tuning is below zero-shot on the OOD average (%s)", signed(ft.oodAverage() - zs.oodAverage()))));
        l.add(new Check("r_adapter_keeps_id", id(ra) >= id(ft) - 0.03, String.format(
                "R-Adapter (merged, α = 0.5) is within 3 points of full fine-tuning ID (%s)", signed(id(ra) - id(ft)))));
        l.add(new Check("r_adapter_beats_ft_ood", ra.oodAverage() >= ft.oodAverage() + 0.03, String.format(
                "R-Adapter is at least 3 points above full fine-tuning on the OOD average (%s)", signed(ra.oodAverage() - ft.oodAverage()))));
        l.add(new Check("r_adapter_beats_zero_shot_ood", ra.oodAverage() > zs.oodAverage(), String.format(
                "R-Adapter is above zero-shot on the OOD average (%s)", signed(ra.oodAverage() - zs.oodAverage()))));
        l.add(new Check("wise_ft_between", wise.oodAverage() > ft.oodAverage() && id(wise) > id(zs), String.format(
                "WiSE-FT (α = 0.5) lands between: above full fine-tuning OOD (%s) and above zero-shot ID (%s)",
                signed(wise.oodAverage() - ft.oodAverage()), signed(id(wise) - id(zs)))));
        return l;
    }

    static List<String> checks(Run run) {
        List<String> out = new ArrayList<>();
        for (Check c : checkList(run)) {
            out.add((c.held() ? "held: " : "**did NOT hold**: ") + c.text() + ".");
        }
        return out;
    }

    private static double id(Demo.Scores r) {
        return r.accuracy().get(Split.TEST.id());
    }

    private static String verb(double delta) {
        return delta > 0 ? "gained" : delta < 0 ? "lost" : "neither gained nor lost";
    }

    private static String points(double delta) {
        return delta == 0 ? "any points" : String.format("%.1f points", Math.abs(100 * delta));
    }

    private static String signed(double delta) {
        return String.format("%+.1f points", 100 * delta);
    }
}
