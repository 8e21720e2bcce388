package radapter.adapters.demo;

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

    static void write(Demo.Settings s, List<Demo.Scores> rows, double[] alphas, double[] id, double[] ood, double mergeGap,
            double pretrainSeconds, List<Double> pretrainLosses, double totalSeconds, ClipConfig cfg, LinearProbe.Result probe)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# radapter demo report\n\n");
        md.append(String.format("Seed %d, %s run, %.1f s in total on %d cores (JDK %s, backend `%s`).%n%n", s.seed(),
                s.quick() ? "quick" : "full", totalSeconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Backends.current().name()));
        md.append("A small CLIP (vision: width ").append(cfg.vision().width()).append(", ").append(cfg.vision().layers())
                .append(" layers, patch ").append(cfg.vision().patchSize()).append(" on ").append(cfg.vision().imageSize())
                .append(" px; text: width ").append(cfg.text().width()).append(", ").append(cfg.text().layers())
                .append(" layers) was pre-trained from scratch with the CLIP loss on the broad synthetic mix (")
                .append(s.pretrainSteps()).append(" steps of ").append(s.pretrainBatch())
                .append(String.format(" pairs, %.1f s, final loss %.3f). It is the zero-shot model.%n%n", pretrainSeconds,
                        pretrainLosses.isEmpty() ? Double.NaN : pretrainLosses.getLast()));
        md.append("Each method was then fine-tuned for ").append(s.finetuneSteps()).append(" steps of ").append(s.finetuneBatch())
                .append(" image-prompt pairs on the in-distribution set and evaluated with a zero-shot head (")
                .append(Demo.TEMPLATES.size()).append(" templates) on the in-distribution test set and four shifted sets (")
                .append(s.evalPerSplit()).append(" images each). ")
                .append(String.format("The linear probe is a logistic regression (L-BFGS) on the zero-shot model's frozen, normalised "
                        + "image features of the same set, with λ = %.0e chosen on a held-out %d of its %d images. Top-1 accuracy:%n%n",
                        probe.lambda(), probe.validationCount(), probe.trainCount() + probe.validationCount()));
        md.append(table(rows)).append('\n');
        md.append(String.format("The merged R-Adapter model (adapters folded into `out_proj`/`c_proj` at α = 0.5) differs from the "
                + "un-merged one by at most %.2f accuracy points on any set; it is saved as `model.safetensors` (OpenAI/open_clip "
                + "layout, with `model.json` and `vocab.txt`).%n%n", 100 * mergeGap));
        md.append("## Weight-space ensembling (α sweep of R-Adapter)\n\n| α | ID | OOD avg |\n|---:|---:|---:|\n");
        for (int i = 0; i < alphas.length; i++) {
            md.append(String.format("| %.1f | %s | %s |%n", alphas[i], pct(id[i]), pct(ood[i])));
        }
        md.append("\nα = 0 is the zero-shot model and α = 1 the full-strength adapter model (spec §5.4).\n\n");
        md.append("Plots: `pretrain_loss.png`, `finetune_loss.png`, `alpha_sweep.png`.\n");
        Demo.write(s.out().resolve("report.md"), md.toString());

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("seed", s.seed());
        json.put("quick", s.quick());
        json.put("total_seconds", totalSeconds);
        json.put("pretrain_seconds", pretrainSeconds);
        json.put("pretrain_final_loss", pretrainLosses.isEmpty() ? null : pretrainLosses.getLast());
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
        List<Object> sweep = new ArrayList<>();
        for (int i = 0; i < alphas.length; i++) {
            sweep.add(Map.of("alpha", alphas[i], "id", id[i], "ood_average", ood[i]));
        }
        json.put("alpha_sweep", sweep);
        json.put("merge_max_accuracy_gap", mergeGap);
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
}
