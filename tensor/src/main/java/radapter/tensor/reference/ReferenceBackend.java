package radapter.tensor.reference;

import radapter.tensor.Backend;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.Elements;
import radapter.tensor.Layout;
import radapter.tensor.ReduceOp;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;

/**
 * Plain scalar Java, written to be obviously correct rather than fast: every element is addressed
 * through {@link Layout#offsetOf}, every value is read and computed in double and rounded once on
 * store. It computes in every floating dtype, so gradient checks run here in F64, and it is the
 * yardstick of the parity suite.
 */
public final class ReferenceBackend implements Backend {

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean supports(DType dtype) {
        return true;
    }

    private static double get(Tensor t, long linear) {
        return Elements.read(t.dtype(), t.segment(), Layout.offsetOf(t, linear));
    }

    private static void put(Tensor t, long linear, double v) {
        Elements.write(t.dtype(), t.segment(), Layout.offsetOf(t, linear), v);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        long n = dst.numel();
        boolean integral = !src.dtype().isFloating() && !dst.dtype().isFloating();
        for (long i = 0; i < n; i++) {
            if (integral) {
                long v = Elements.readLong(src.dtype(), src.segment(), Layout.offsetOf(src, i));
                Elements.writeLong(dst.dtype(), dst.segment(), Layout.offsetOf(dst, i), v);
            } else {
                put(dst, i, get(src, i));
            }
        }
    }

    @Override
    public void fill(Tensor dst, double value) {
        long n = dst.numel();
        for (long i = 0; i < n; i++) {
            put(dst, i, value);
        }
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out) {
        long n = out.numel();
        for (long i = 0; i < n; i++) {
            put(out, i, op.apply(get(x, i)));
        }
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        long n = out.numel();
        for (long i = 0; i < n; i++) {
            put(out, i, op.apply(get(a, i), get(b, i)));
        }
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        long n = out.numel();
        for (long i = 0; i < n; i++) {
            put(out, i, get(cond, i) != 0 ? get(a, i) : get(b, i));
        }
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out) {
        long[] xs = x.shape();
        long[] os = out.shape();
        long outN = out.numel();
        double[] acc = new double[Math.toIntExact(outN)];
        java.util.Arrays.fill(acc, op.identity());
        long n = x.numel();
        long[] idx = new long[xs.length];
        for (long i = 0; i < n; i++) {
            // Position of x's element i in the output: drop the reduced coordinates.
            long rem = i;
            for (int d = xs.length - 1; d >= 0; d--) {
                idx[d] = rem % xs[d];
                rem /= xs[d];
            }
            long o = 0;
            for (int d = 0; d < xs.length; d++) {
                o = o * os[d] + (dims[d] ? 0 : idx[d]);
            }
            acc[(int) o] = op.combine(acc[(int) o], get(x, i));
        }
        for (long o = 0; o < outN; o++) {
            put(out, o, acc[(int) o]);
        }
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        long[] xs = x.shape();
        long len = xs[dim];
        long outN = out.numel();
        long[] os = out.shape();
        long[] idx = new long[xs.length];
        for (long o = 0; o < outN; o++) {
            long rem = o;
            for (int d = os.length - 1; d >= 0; d--) {
                idx[d] = rem % os[d];
                rem /= os[d];
            }
            long best = 0;
            double bestV = 0;
            for (long j = 0; j < len; j++) {
                idx[dim] = j;
                double v = x.get(idx);
                boolean better = j == 0
                        || (v != v && bestV == bestV)
                        || (bestV == bestV && (max ? v > bestV : v < bestV));
                if (better) {
                    best = j;
                    bestV = v;
                }
            }
            Elements.writeLong(DType.I64, out.segment(), Layout.offsetOf(out, o), best);
        }
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        long[] os = out.shape();
        int r = os.length;
        long m = os[r - 2];
        long n = os[r - 1];
        long k = a.size(-1);
        long batches = Shapes.numel(java.util.Arrays.copyOf(os, r - 2));
        for (long bt = 0; bt < batches; bt++) {
            Tensor ab = batchView(a, bt);
            Tensor bb = batchView(b, bt);
            Tensor ob = batchView(out, bt);
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < n; j++) {
                    double s = 0;
                    for (long p = 0; p < k; p++) {
                        s += ab.get(i, p) * bb.get(p, j);
                    }
                    ob.set(s, i, j);
                }
            }
        }
    }

    /** The matrix at row-major batch position {@code bt} of a [..., R, C] tensor. */
    private static Tensor batchView(Tensor t, long bt) {
        Tensor v = t;
        long[] s = t.shape();
        long rem = bt;
        long[] idx = new long[s.length - 2];
        for (int d = s.length - 3; d >= 0; d--) {
            idx[d] = rem % s[d];
            rem /= s[d];
        }
        for (long i : idx) {
            v = v.select(0, i);
        }
        return v;
    }

    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        long n = index.size(0);
        for (long i = 0; i < n; i++) {
            Tensor row = src.select(dim, index.getLong(i));
            Tensor dst = out.select(dim, i);
            copy(row, dst);
        }
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        long n = index.size(0);
        for (long i = 0; i < n; i++) {
            Tensor target = dst.select(dim, index.getLong(i));
            Tensor add = src.select(dim, i);
            long m = target.numel();
            for (long e = 0; e < m; e++) {
                put(target, e, get(target, e) + get(add, e));
            }
        }
    }

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        // Move the softmax dimension last so every row is a contiguous walk in index space.
        int last = x.dim() - 1;
        Tensor xs = x.transpose(dim, last);
        Tensor os = out.transpose(dim, last);
        long len = xs.size(last);
        long rows = len == 0 ? 0 : xs.numel() / len;
        for (long r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (long j = 0; j < len; j++) {
                max = Math.max(max, get(xs, r * len + j));
            }
            double sum = 0;
            for (long j = 0; j < len; j++) {
                sum += Math.exp(get(xs, r * len + j) - max);
            }
            for (long j = 0; j < len; j++) {
                double v = get(xs, r * len + j) - max;
                put(os, r * len + j, log ? v - Math.log(sum) : Math.exp(v) / sum);
            }
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        long len = x.size(-1);
        long rows = x.numel() / Math.max(len, 1);
        for (long r = 0; r < rows; r++) {
            double mu = 0;
            for (long j = 0; j < len; j++) {
                mu += get(x, r * len + j);
            }
            mu /= len;
            double var = 0;
            for (long j = 0; j < len; j++) {
                double d = get(x, r * len + j) - mu;
                var += d * d;
            }
            var /= len;
            double rs = 1.0 / Math.sqrt(var + eps);
            for (long j = 0; j < len; j++) {
                double y = (get(x, r * len + j) - mu) * rs;
                if (weight != null) {
                    y *= get(weight, j);
                }
                if (bias != null) {
                    y += get(bias, j);
                }
                put(out, r * len + j, y);
            }
            if (mean != null) {
                put(mean, r, mu);
            }
            if (rstd != null) {
                put(rstd, r, rs);
            }
        }
    }

}
