package radapter.tensor;

import java.util.ArrayList;
import java.util.List;

/** Joining and splitting: {@code cat}, {@code stack}, {@code split}, {@code chunk}. */
public final class Join {
    private Join() {
    }

    /** Concatenates along {@code dim}; all other dimensions must agree. */
    public static Tensor cat(int dim, List<Tensor> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("cat needs at least one tensor");
        }
        Tensor first = tensors.getFirst();
        int d = Shapes.dim(dim, first.dim());
        long total = 0;
        DType dtype = first.dtype();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.dim() != first.dim()) {
                throw new IllegalArgumentException("cat: tensor " + i + " has rank " + t.dim() + ", tensor 0 has rank " + first.dim());
            }
            for (int k = 0; k < t.dim(); k++) {
                if (k != d && t.size(k) != first.size(k)) {
                    throw new IllegalArgumentException("cat along " + d + ": tensor " + i + " has shape " + Shapes.str(t.shape())
                            + ", tensor 0 has shape " + Shapes.str(first.shape()));
                }
            }
            if (t.dtype() == DType.F64) {
                dtype = DType.F64;
            }
            total += t.size(d);
        }
        long[] s = first.shape();
        s[d] = total;
        Tensor out = Tensor.empty(Backends.forOp(dtype, tensors.toArray(Tensor[]::new)).device(), dtype, s);
        long at = 0;
        for (Tensor t : tensors) {
            long n = t.size(d);
            if (n > 0) {
                out.narrow(d, at, n).copy_(t);
            }
            at += n;
        }
        return out;
    }

    /** Varargs form of {@link #cat(int, List)}. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return cat(dim, List.of(tensors));
    }

    /** Stacks equally shaped tensors along a new dimension {@code dim}. */
    public static Tensor stack(int dim, List<Tensor> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack needs at least one tensor");
        }
        int d = Shapes.dim(dim, tensors.getFirst().dim() + 1);
        List<Tensor> us = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!t.sameShape(tensors.getFirst())) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shapes.str(t.shape())
                        + ", tensor 0 has shape " + Shapes.str(tensors.getFirst().shape()));
            }
            us.add(t.unsqueeze(d));
        }
        return cat(d, us);
    }

    /** Varargs form of {@link #stack(int, List)}. */
    public static Tensor stack(int dim, Tensor... tensors) {
        return stack(dim, List.of(tensors));
    }

    /** Views of {@code splitSize} along {@code dim}; the last may be shorter (torch.split). */
    public static List<Tensor> split(Tensor x, long splitSize, int dim) {
        if (splitSize <= 0) {
            throw new IllegalArgumentException("split size must be positive, got " + splitSize);
        }
        int d = Shapes.dim(dim, x.dim());
        List<Tensor> parts = new ArrayList<>();
        long n = x.size(d);
        for (long at = 0; at < n; at += splitSize) {
            parts.add(x.narrow(d, at, Math.min(splitSize, n - at)));
        }
        if (n == 0) {
            parts.add(x);
        }
        return parts;
    }

    /** Views with the given sizes along {@code dim}, which must add up to its length. */
    public static List<Tensor> split(Tensor x, long[] sizes, int dim) {
        int d = Shapes.dim(dim, x.dim());
        long sum = 0;
        for (long s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("negative split size in " + java.util.Arrays.toString(sizes));
            }
            sum += s;
        }
        if (sum != x.size(d)) {
            throw new IllegalArgumentException("split sizes " + java.util.Arrays.toString(sizes) + " add up to " + sum
                    + " but dimension " + d + " has size " + x.size(d));
        }
        List<Tensor> parts = new ArrayList<>();
        long at = 0;
        for (long s : sizes) {
            parts.add(x.narrow(d, at, s));
            at += s;
        }
        return parts;
    }

    /** {@code chunks} nearly equal views along {@code dim} (torch.chunk). */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk count must be positive, got " + chunks);
        }
        long n = x.size(dim);
        return split(x, Math.max(1, (n + chunks - 1) / chunks), dim);
    }
}
