package radapter.adapters.robust;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import radapter.models.nn.Module;
import radapter.tensor.Tensor;

/**
 * WiSE-FT (Wortsman et al., <i>Robust fine-tuning of zero-shot models</i>, CVPR 2022): the
 * weight-space ensemble {@code θ(α) = (1 − α)·θ_zero-shot + α·θ_fine-tuned}, taken tensor by
 * tensor over every parameter. α = 0 gives the zero-shot weights and α = 1 the fine-tuned ones,
 * both bit for bit; in between, the paper finds accuracy under distribution shift above both ends.
 *
 * <pre>{@code
 * Map<String, Tensor> zs = zeroShot.stateDict(), ft = fineTuned.stateDict();
 * WiseFt.apply(model, zs, ft, 0.5);   // model now holds the ensemble
 * }</pre>
 *
 * Both state dicts must come from the same architecture: the same keys with the same shapes.
 * Non-floating tensors (token ids, counters) are not interpolated; they must be equal.
 */
public final class WiseFt {
    private WiseFt() {
    }

    /**
     * The interpolated weights, a new tensor per key (in the zero-shot state's order and dtypes),
     * allocated in the current memory scope.
     *
     * @throws IllegalArgumentException when α is outside [0, 1], or when a key, shape or dtype
     *         differs between the two states (the message names it)
     */
    public static Map<String, Tensor> interpolate(Map<String, Tensor> zeroShot, Map<String, Tensor> fineTuned, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("WiSE-FT: α must be in [0, 1] (0 = zero-shot, 1 = fine-tuned), got " + alpha);
        }
        for (String k : fineTuned.keySet()) {
            if (!zeroShot.containsKey(k)) {
                throw new IllegalArgumentException("WiSE-FT: '" + k + "' is in the fine-tuned weights but not in the zero-shot ones");
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : zeroShot.entrySet()) {
            String k = e.getKey();
            Tensor a = e.getValue();
            Tensor b = fineTuned.get(k);
            if (b == null) {
                throw new IllegalArgumentException("WiSE-FT: '" + k + "' is in the zero-shot weights but not in the fine-tuned ones");
            }
            if (!Arrays.equals(a.shape(), b.shape())) {
                throw new IllegalArgumentException("WiSE-FT: '" + k + "' has shape " + Arrays.toString(a.shape()) + " in the zero-shot weights but "
                        + Arrays.toString(b.shape()) + " in the fine-tuned ones");
            }
            if (a.dtype() != b.dtype()) {
                throw new IllegalArgumentException("WiSE-FT: '" + k + "' is " + a.dtype() + " in the zero-shot weights but " + b.dtype()
                        + " in the fine-tuned ones");
            }
            out.put(k, mix(k, a, b, alpha));
        }
        return out;
    }

    /**
     * Loads the ensemble at {@code alpha} into {@code target} (strictly: every key must match the
     * module's). The module then holds the new tensors, so call it outside a memory scope that
     * ends before the module's last use.
     */
    public static void apply(Module target, Map<String, Tensor> zeroShot, Map<String, Tensor> fineTuned, double alpha) {
        target.loadStateDict(interpolate(zeroShot, fineTuned, alpha), true);
    }

    private static Tensor mix(String key, Tensor a, Tensor b, double alpha) {
        if (!a.dtype().isFloating()) {
            if (!Arrays.equals(a.toFloatArray(), b.toFloatArray())) {
                throw new IllegalArgumentException("WiSE-FT: '" + key + "' is an integer tensor and differs between the two weights");
            }
            return a.clone();
        }
        // The ends are copies, not arithmetic: "α = 0 is the zero-shot model" must hold exactly,
        // whatever the values (even non-finite ones) are.
        if (alpha == 0) {
            return a.clone();
        }
        if (alpha == 1) {
            return b.clone();
        }
        Tensor mixed = a.mul(1 - alpha).add(b.mul(alpha));
        return mixed.dtype() == a.dtype() ? mixed : mixed.to(a.dtype());
    }
}
