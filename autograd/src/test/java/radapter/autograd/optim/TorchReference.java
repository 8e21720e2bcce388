package radapter.autograd.optim;

/**
 * The published PyTorch update rules ({@code torch/optim/sgd.py} and {@code adam.py}'s
 * single-tensor paths, {@code torch.optim.AdamW} = Adam with decoupled weight decay) written as
 * plain double-precision scalar loops, element by element, independent of any tensor code.
 * Each returns the parameter after every step: {@code result[t]} is after step {@code t + 1}.
 */
final class TorchReference {
    private TorchReference() {
    }

    /**
     * {@code torch.optim.SGD}: d = g + wd·p; momentum buffer = d on the first step, else
     * momentum·buf + (1 − dampening)·d; d = nesterov ? d + momentum·buf : buf; p −= lr·d.
     */
    static double[][] sgd(double[] p0, double[][] grads, double lr, double momentum, double dampening, boolean nesterov,
            double weightDecay) {
        int n = p0.length;
        double[] p = p0.clone();
        double[] buf = new double[n];
        double[][] out = new double[grads.length][];
        for (int t = 0; t < grads.length; t++) {
            for (int i = 0; i < n; i++) {
                double d = grads[t][i];
                if (weightDecay != 0) {
                    d = d + weightDecay * p[i];
                }
                if (momentum != 0) {
                    if (t == 0) {
                        buf[i] = d;
                    } else {
                        buf[i] = momentum * buf[i] + (1 - dampening) * d;
                    }
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                p[i] = p[i] - lr * d;
            }
            out[t] = p.clone();
        }
        return out;
    }

    /**
     * {@code torch.optim.AdamW}: p *= 1 − lr·wd; m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²;
     * (AMSGrad: vmax = max(vmax, v), used instead of v); denom = √v / √(1 − β2^t) + eps;
     * p −= lr / (1 − β1^t) · m / denom.
     */
    static double[][] adamw(double[] p0, double[][] grads, double lr, double beta1, double beta2, double eps,
            double weightDecay, boolean amsgrad) {
        int n = p0.length;
        double[] p = p0.clone();
        double[] m = new double[n];
        double[] v = new double[n];
        double[] vmax = new double[n];
        double[][] out = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            double bc1 = 1 - Math.pow(beta1, t);
            double bc2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < n; i++) {
                double g = grads[t - 1][i];
                p[i] = p[i] * (1 - lr * weightDecay);
                m[i] = m[i] + (1 - beta1) * (g - m[i]);
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double second = v[i];
                if (amsgrad) {
                    vmax[i] = Math.max(vmax[i], v[i]);
                    second = vmax[i];
                }
                double denom = Math.sqrt(second) / Math.sqrt(bc2) + eps;
                p[i] = p[i] - (lr / bc1) * m[i] / denom;
            }
            out[t - 1] = p.clone();
        }
        return out;
    }

    /** The values a float32 tensor would hold ({@code (double)(float)x}), so F32 runs start from the same inputs. */
    static double[] f32(double[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = (float) x[i];
        }
        return r;
    }

    static double[][] f32(double[][] x) {
        double[][] r = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            r[i] = f32(x[i]);
        }
        return r;
    }

    static float[] floats(double[] x) {
        float[] r = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = (float) x[i];
        }
        return r;
    }
}
