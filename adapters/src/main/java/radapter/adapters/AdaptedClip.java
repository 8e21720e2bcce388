package radapter.adapters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.autograd.Variable;
import radapter.models.clip.CheckpointLayout;
import radapter.models.clip.Clip;
import radapter.models.clip.PretrainedConfigs;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.models.nn.Linear;

import radapter.models.nn.ResidualAttentionBlock;
import radapter.models.nn.Transformer;
import radapter.tensor.LinearAlgebra;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;

/**
 * A CLIP model with R-Adapters installed after the attention and MLP branches of every block of
 * the chosen towers. Everything else is frozen (logit scale included); the adapters train, their
 * averaged twins ({@code adapter_*_cache}, the official key names; EMA or BMA) average them, and
 * {@link #merge(double)} folds the evaluation adapters into {@code out_proj} and {@code c_proj}
 * so the result is a plain CLIP with no inference overhead.
 *
 * <p>Memory: adapters, EMA copies and merged weights are allocated in the memory scope current
 * when this object is created or merged, normally the model's scope.
 */
public final class AdaptedClip {
    /** Where one adapter sits. */
    public record Site(String tower, int block, String branch, ResidualAttentionBlock owner, RAdapter adapter) {
        /** The projection the adapter folds into: {@code attn.out_proj} or {@code mlp.c_proj}. */
        public Linear projection() {
            return branch.equals("attn") ? owner.attn().outProj() : owner.mlp().cProj();
        }

        /** Checkpoint key prefix of the block, e.g. {@code visual.transformer.resblocks.3}. */
        public String blockKey() {
            return (tower.equals("vision") ? "visual." : "") + "transformer.resblocks." + block;
        }
    }

    private final Clip clip;
    private final AdapterConfig config;
    private final AdapterRuntime runtime;
    private final List<Site> sites;
    private final Map<Site, Tensor[]> originals = new LinkedHashMap<>();
    /** BMA's running sum S of the weights so far, and how many updates it holds. */
    private double bmaWeightSum;
    private long bmaUpdates;
    /** The run length T the BMA weights were computed for (0 before the first update). */
    private long bmaTotalSteps;

    private AdaptedClip(Clip clip, AdapterConfig config, AdapterRuntime runtime, List<Site> sites) {
        this.clip = clip;
        this.config = config;
        this.runtime = runtime;
        this.sites = sites;
    }

    /**
     * Installs adapters into {@code clip} (in place) and freezes every other parameter. {@code rng}
     * initialises factored adapters and then drives adapter dropping.
     */
    public static AdaptedClip install(Clip clip, AdapterConfig config, Rng rng) {
        AdapterRuntime runtime = new AdapterRuntime(config, rng);
        clip.freeze();
        List<Site> sites = new ArrayList<>();
        addTower(sites, "vision", clip.visual().transformer(), config.visionRank(), clip.config().vision().width(), runtime, rng);
        addTower(sites, "text", clip.text().transformer(), config.textRank(), clip.config().text().width(), runtime, rng);
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("no adapters installed: both ranks are <= 0 (give --adapter vision,text ranks > 0)");
        }
        return new AdaptedClip(clip, config, runtime, Collections.unmodifiableList(sites));
    }

    private static void addTower(List<Site> sites, String tower, Transformer t, int rank, long width, AdapterRuntime runtime, Rng rng) {
        if (rank <= 0) {
            return;
        }
        List<ResidualAttentionBlock> blocks = t.blocks();
        for (int i = 0; i < blocks.size(); i++) {
            ResidualAttentionBlock b = blocks.get(i);
            RAdapter attn = new RAdapter(width, rank, runtime, rng);
            RAdapter mlp = new RAdapter(width, rank, runtime, rng);
            b.setAttnAdapter(attn);
            b.setMlpAdapter(mlp);
            if (runtime.config().averagingEnabled()) {
                attn.setEma(b.addModule(ResidualAttentionBlock.ATTN_ADAPTER + "_cache", attn.copyFrozen()));
                mlp.setEma(b.addModule(ResidualAttentionBlock.MLP_ADAPTER + "_cache", mlp.copyFrozen()));
            }
            sites.add(new Site(tower, i, "attn", b, attn));
            sites.add(new Site(tower, i, "mlp", b, mlp));
        }
    }

    public Clip clip() {
        return clip;
    }

    public AdapterConfig config() {
        return config;
    }

    public List<Site> sites() {
        return sites;
    }

    /** The live adapter parameters: what the optimizer trains. */
    public List<Variable> trainableParameters() {
        List<Variable> out = new ArrayList<>();
        for (Site s : sites) {
            out.addAll(s.adapter().trainableParameters());
        }
        return out;
    }

    /** Train mode (adapter dropping on, live adapters) or eval mode (EMA adapters, scale s·α). */
    public AdaptedClip train(boolean on) {
        clip.train(on);
        return this;
    }

    /** Replaces the random stream adapter dropping draws from (for resuming a run exactly). */
    public void setDropRng(Rng rng) {
        runtime.setRng(rng);
    }

    public Rng dropRng() {
        return runtime.rng();
    }

    /** α used by evaluation and by {@link #merge()}; the weight-space ensembling knob. */
    public double evalScale() {
        return runtime.evalScale();
    }

    public void setEvalScale(double alpha) {
        if (!originals.isEmpty()) {
            throw new IllegalStateException("unmerge() before changing the eval scale");
        }
        runtime.setEvalScale(alpha);
    }

    /**
     * One EMA step after an optimizer step: {@code θ_ema ← m·θ_ema + (1−m)·θ} for every adapter
     * parameter (both {@code s} and the matrices), computed in float32 exactly as the official code.
     */
    public void emaUpdate() {
        if (!config.emaEnabled()) {
            return;
        }
        for (Site s : sites) {
            emaStep(s.adapter(), config.emaMomentum());
        }
    }

    /**
     * Updates the averaged adapters after optimizer step {@code step} (0-based) of a run of
     * {@code totalSteps}: an EMA step, or a BMA step (spec §5.2, see {@link Bma}), or nothing when
     * the configuration averages nothing. The fine-tuning loop calls this after every step.
     *
     * <p>BMA keeps a running sum of the weights; a call with {@code step == 0} starts a new run,
     * any other step must follow the previous one (after a resume, restore the sum first with
     * {@link #restoreAveragingState}).
     */
    public void averageUpdate(long step, long totalSteps) {
        if (config.emaEnabled()) {
            emaUpdate();
            return;
        }
        if (!config.bmaEnabled()) {
            return;
        }
        if (step == 0) {
            bmaWeightSum = 0;
            bmaUpdates = 0;
        } else if (step != bmaUpdates || totalSteps != bmaTotalSteps) {
            // A gap would silently give the wrong weights (e.g. a resume that did not restore the sum).
            throw new IllegalStateException("BMA update for step " + step + " of " + totalSteps + ", but the average holds "
                    + bmaUpdates + " steps of a " + bmaTotalSteps + "-step run; a resumed BMA run needs its checkpoint's averaging "
                    + "state and the same number of steps");
        }
        bmaTotalSteps = totalSteps;
        double w = Bma.weight(step, totalSteps, config.bmaBeta());
        bmaWeightSum += w;
        double rho = w / bmaWeightSum;
        for (Site s : sites) {
            bmaStep(s.adapter(), rho);
        }
        bmaUpdates++;
    }

    /** {@code θ_avg ← (θ_avg + ρ·θ)/(1 + ρ)} for one adapter and its twin, in float32 like the EMA. */
    static void bmaStep(RAdapter live, double rho) {
        Map<String, Variable> avg = live.ema().namedParameters();
        for (Map.Entry<String, Variable> e : live.namedParameters().entrySet()) {
            Tensor c = avg.get(e.getKey()).data();
            c.add_(e.getValue().data().mul(rho)).div_(Tensor.full(c.dtype(), 1 + rho));
        }
    }

    /**
     * What besides the averaged tensors a checkpoint needs to continue the averaging exactly:
     * the rule and, for BMA, the running weight sum {@code S}, the number of updates and {@code T}.
     * The averaged tensors themselves are adapter tensors ({@link #adapterStateDict()}).
     */
    public Map<String, Object> averagingState() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (config.bmaEnabled()) {
            m.put("rule", "bma");
            m.put("beta", config.bmaBeta());
            m.put("weight_sum", bmaWeightSum);
            m.put("updates", bmaUpdates);
            m.put("total_steps", bmaTotalSteps);
        } else if (config.emaEnabled()) {
            m.put("rule", "ema");
            m.put("momentum", config.emaMomentum());
        } else {
            m.put("rule", "none");
        }
        return m;
    }

    /**
     * Restores {@link #averagingState()} from a checkpoint. {@code null} (a checkpoint written
     * before this state existed) is accepted unless this model uses BMA, which cannot continue
     * without its weight sum. A checkpoint of another rule is an error.
     */
    public void restoreAveragingState(Map<String, Object> state) {
        String mine = (String) averagingState().get("rule");
        if (state == null) {
            if (config.bmaEnabled()) {
                throw new IllegalArgumentException("the checkpoint holds no BMA state (was it written by an EMA run?); cannot resume with BMA");
            }
            return;
        }
        String theirs = String.valueOf(state.get("rule"));
        if (!mine.equals(theirs)) {
            throw new IllegalArgumentException("the checkpoint averaged the adapters with " + theirs + ", this run with " + mine
                    + "; resume with the same setting");
        }
        if (config.bmaEnabled()) {
            double beta = ((Number) state.get("beta")).doubleValue();
            if (beta != config.bmaBeta()) {
                throw new IllegalArgumentException("the checkpoint used BMA β " + beta + ", this run " + config.bmaBeta());
            }
            bmaWeightSum = ((Number) state.get("weight_sum")).doubleValue();
            bmaUpdates = ((Number) state.get("updates")).longValue();
            bmaTotalSteps = ((Number) state.get("total_steps")).longValue();
        }
    }

    /** {@code θ_ema ← m·θ_ema + (1−m)·θ} for one adapter and its twin, in float32 like the official code. */
    static void emaStep(RAdapter live, double m) {
        Map<String, Variable> avg = live.ema().namedParameters();
        for (Map.Entry<String, Variable> e : live.namedParameters().entrySet()) {
            Tensor c = avg.get(e.getKey()).data();
            c.mul_(m).add_(e.getValue().data().mul(1 - m));
        }
    }

    /** {@link #merge(double)} with the current eval scale α. */
    public void merge() {
        merge(runtime.evalScale());
    }

    /**
     * Folds each evaluation adapter into its projection: with {@code A = I + α·s·F},
     * {@code W' = A·W} and {@code b' = A·b}; the adapters are then skipped. The original weights
     * are kept for {@link #unmerge()}.
     */
    public void merge(double alpha) {
        if (!originals.isEmpty()) {
            throw new IllegalStateException("already merged; unmerge() first");
        }
        for (Site s : sites) {
            originals.put(s, fold(s.projection(), s.adapter().evalSource(), alpha));
            s.adapter().setMerged(true);
        }
        runtime.setEvalScale(alpha);
    }

    /**
     * Replaces {@code proj}'s weight and bias by {@code A·W} and {@code A·b} with
     * {@code A = I + α·s·F} of adapter {@code src}; returns the original {weight, bias}.
     */
    static Tensor[] fold(Linear proj, RAdapter src, double alpha) {
        Tensor w = proj.weight().data();
        Tensor b = proj.bias().data();
        double c = src.scale().data().item() * alpha;
        Tensor a = identity(src.dim()).add(src.matrix().mul(c));
        proj.weight().setData(LinearAlgebra.matmul(a, w));
        proj.bias().setData(LinearAlgebra.matmul(a, b));
        return new Tensor[] {w, b};
    }

    /** Restores the weights saved by {@link #merge(double)} and re-enables the adapters. */
    public void unmerge() {
        for (Map.Entry<Site, Tensor[]> e : originals.entrySet()) {
            Linear proj = e.getKey().projection();
            proj.weight().setData(e.getValue()[0]);
            proj.bias().setData(e.getValue()[1]);
            e.getKey().adapter().setMerged(false);
        }
        originals.clear();
    }

    public boolean isMerged() {
        return !originals.isEmpty();
    }

    private static Tensor identity(long n) {
        Tensor eye = Tensor.zeros(n, n);
        for (long i = 0; i < n; i++) {
            eye.set(1.0, i, i);
        }
        return eye;
    }

    /** The model's tensors without any adapter (merged weights when merged): a plain CLIP state dict. */
    public Map<String, Tensor> plainStateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        clip.stateDict().forEach((k, v) -> {
            if (!k.contains(".adapter_")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Only the adapter tensors (live and EMA), under the official key names. */
    public Map<String, Tensor> adapterStateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        clip.stateDict().forEach((k, v) -> {
            if (k.contains(".adapter_")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * Copies adapter tensors (live and EMA, official names) into this model; every adapter key of
     * the model must be present and no other adapter key may appear.
     */
    public void loadAdapterState(Map<String, Tensor> state) {
        Map<String, Variable> named = clip.namedParameters();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Variable> e : named.entrySet()) {
            if (!e.getKey().contains(".adapter_")) {
                continue;
            }
            Tensor t = state.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            if (!java.util.Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("size mismatch for " + e.getKey() + ": the file has " + java.util.Arrays.toString(t.shape())
                        + ", the model expects " + java.util.Arrays.toString(e.getValue().shape()));
            }
            e.getValue().data().copy_(t);
        }
        List<String> unexpected = state.keySet().stream().filter(k -> k.contains(".adapter_") && !named.containsKey(k)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("adapter state does not match: missing " + missing + ", unexpected " + unexpected);
        }
    }

    /**
     * Writes the merged model as a plain CLIP checkpoint in {@code layout} (so open_clip or
     * transformers load it unchanged), atomically. Merges with the current α first if needed.
     */
    public void exportMerged(Path target, CheckpointLayout layout, Map<String, String> metadata) throws IOException {
        boolean wasMerged = isMerged();
        if (!wasMerged) {
            merge();
        }
        try {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("producer", "radapter");
            meta.put("radapter.merged_alpha", Double.toString(runtime.evalScale()));
            if (metadata != null) {
                meta.putAll(metadata);
            }
            SafeTensors.write(target, layout.fromCanonical(plainStateDict()), meta);
        } finally {
            if (!wasMerged) {
                unmerge();
            }
        }
    }

    /** The weights file Hugging Face's {@code from_pretrained} reads (Hugging Face layout). */
    public static final String HF_WEIGHTS = "model.safetensors";
    /** The weights file open_clip's {@code local-dir:} reads first (OpenAI/open_clip layout). */
    public static final String OPEN_CLIP_WEIGHTS = "open_clip_model.safetensors";

    /**
     * Writes the merged model as a folder that loads as it is in Hugging Face transformers
     * ({@code CLIPModel.from_pretrained(dir)}, {@code CLIPProcessor.from_pretrained(dir)}), in
     * open_clip ({@code create_model_and_transforms("local-dir:" + dir)}) and in radapter
     * ({@code Clip.load(dir)}): {@value #HF_WEIGHTS} in the Hugging Face layout, with
     * {@code openClip} also {@value #OPEN_CLIP_WEIGHTS} in the open_clip layout (the two tools
     * name the tensors differently, so each needs its own copy), the configuration files of
     * {@link PretrainedConfigs#write} and, given a tokenizer, its Hugging Face files. Every file
     * is written atomically.
     *
     * @return the files written
     */
    public List<Path> exportPretrained(Path dir, ClipTokenizer tokenizer, boolean openClip, Map<String, String> metadata) throws IOException {
        List<Path> files = new ArrayList<>();
        java.nio.file.Files.createDirectories(dir);
        files.add(dir.resolve(HF_WEIGHTS));
        exportMerged(files.getLast(), CheckpointLayout.HUGGING_FACE, metadata);
        if (openClip) {
            files.add(dir.resolve(OPEN_CLIP_WEIGHTS));
            exportMerged(files.getLast(), CheckpointLayout.OPENAI, metadata);
        }
        files.addAll(PretrainedConfigs.write(dir, clip.config()));
        if (tokenizer != null) {
            files.addAll(tokenizer.saveHuggingFace(dir));
        }
        return files;
    }

    /** Number of trainable scalars (live adapters only). */
    public long trainableCount() {
        long n = 0;
        for (Variable v : trainableParameters()) {
            n += v.data().numel();
        }
        return n;
    }

}
