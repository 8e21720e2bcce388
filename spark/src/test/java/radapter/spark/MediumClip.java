package radapter.spark;

import java.nio.file.Path;
import java.util.Map;
import radapter.models.clip.CheckpointLayout;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.nn.Activation;
import radapter.tensor.Rng;
import radapter.tensor.io.SafeTensors;

/**
 * Writes a randomly initialised mid-sized CLIP (ViT width 384, 6 layers, patch 16 at 112 px: about
 * 1 GFLOP per image) for throughput runs where the encoder, not the per-row bookkeeping, should
 * dominate as it does with real checkpoints. Not a test: {@code MediumClip OUT.safetensors}.
 */
public final class MediumClip {
    private MediumClip() {
    }

    public static void main(String[] args) throws Exception {
        ClipConfig cfg = new ClipConfig(256, new ClipConfig.Vision(384, 6, 6, 16, 112), new ClipConfig.Text(256, 2, 4, 77, 49408),
                Activation.QUICK_GELU, 1e-5, "random medium CLIP for throughput runs");
        Clip clip = ClipInit.initialize(new Clip(cfg), new Rng(7));
        Map<String, radapter.tensor.Tensor> state = CheckpointLayout.OPENAI.fromCanonical(clip.stateDict());
        SafeTensors.write(Path.of(args[0]), state, Map.of("producer", "radapter MediumClip"));
    }
}
