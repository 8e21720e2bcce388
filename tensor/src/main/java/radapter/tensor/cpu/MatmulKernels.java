package radapter.tensor.cpu;

import java.lang.foreign.MemorySegment;
import radapter.tensor.Tensor;

/**
 * Maps a batched {@code [..., M, K] × [..., K, N]} product onto {@link Sgemm}. Matrix strides pass
 * straight through (transposed operands are swapped strides). Batch dimensions of size 1 are
 * dropped and neighbours merged where the strides of a, b and out all allow (stride-0 broadcast
 * batches merge too), so the usual cases become a single {@link Sgemm#sgemmBatched} call; a batch
 * layout that does not collapse loops over its outer dimensions with one batched call each.
 */
final class MatmulKernels {

    private MatmulKernels() {}

    static void matmul(Tensor a, Tensor b, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        int r = out.dim();
        int m = Math.toIntExact(out.size(r - 2));
        int n = Math.toIntExact(out.size(r - 1));
        int k = Math.toIntExact(a.size(r - 1));
        long[] as = a.strides();
        long[] bs = b.strides();
        long[] cs = out.strides();
        long aRow = as[r - 2];
        long aCol = as[r - 1];
        long bRow = bs[r - 2];
        long bCol = bs[r - 1];
        long cRow = cs[r - 2];
        long cCol = cs[r - 1];
        MemorySegment aSeg = a.segment();
        MemorySegment bSeg = b.segment();
        MemorySegment cSeg = out.segment();

        // Batch dimensions, innermost first, merged jointly for the three operands.
        long[] shape = out.shape();
        int nb = r - 2;
        long[] size = new long[nb];
        long[] sa = new long[nb];
        long[] sb = new long[nb];
        long[] sc = new long[nb];
        int q = 0;
        for (int d = nb - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (q > 0 && as[d] == sa[q - 1] * size[q - 1] && bs[d] == sb[q - 1] * size[q - 1]
                    && cs[d] == sc[q - 1] * size[q - 1]) {
                size[q - 1] *= shape[d];
                continue;
            }
            size[q] = shape[d];
            sa[q] = as[d];
            sb[q] = bs[d];
            sc[q] = cs[d];
            q++;
        }
        if (q == 0) {
            Sgemm.sgemm(m, n, k, aSeg, a.offset(), aRow, aCol, bSeg, b.offset(), bRow, bCol,
                    cSeg, out.offset(), cRow, cCol, false);
            return;
        }
        int batch = Math.toIntExact(size[0]);
        // Outer batch dimensions (merged index 1..q-1, innermost first) are looped over here.
        long outerCount = 1;
        for (int j = 1; j < q; j++) {
            outerCount *= size[j];
        }
        for (long o = 0; o < outerCount; o++) {
            long ao = a.offset();
            long bo = b.offset();
            long co = out.offset();
            long rem = o;
            for (int j = 1; j < q; j++) {
                long c = rem % size[j];
                rem /= size[j];
                ao += c * sa[j];
                bo += c * sb[j];
                co += c * sc[j];
            }
            Sgemm.sgemmBatched(batch, m, n, k, aSeg, ao, sa[0], aRow, aCol, bSeg, bo, sb[0], bRow, bCol,
                    cSeg, co, sc[0], cRow, cCol, false);
        }
    }
}
