package radapter.tensor.cpu;

import static radapter.tensor.cpu.VectorMath.L;
import static radapter.tensor.cpu.VectorMath.get;
import static radapter.tensor.cpu.VectorMath.load;
import static radapter.tensor.cpu.VectorMath.set;
import static radapter.tensor.cpu.VectorMath.store;

import java.lang.foreign.MemorySegment;
import radapter.tensor.Elements;
import radapter.tensor.Tensor;

/**
 * {@code index_select} and {@code index_add} along one dimension. Both view the tensors as
 * [outer, dim, inner]; the inner block of {@code src} is either one run with a fixed stride (bulk
 * copies / vector adds when that stride is 1) or, for an irregular layout, a table of offsets.
 * {@code index_select} shares (outer, index) pairs across the pool; {@code index_add} walks the index
 * entries in order for each column tile and shares the tiles out, so repeated indices accumulate
 * in the same order as a serial loop without any two threads touching the same output.
 */
final class IndexKernels {

    /** Columns of one index_add work item. */
    private static final long ADD_TILE = 4096;

    private IndexKernels() {}

    /** The index entries as longs (I32 or I64, rank 1, any stride). */
    static long[] readIndex(Tensor index) {
        int n = Math.toIntExact(index.size(0));
        long[] idx = new long[n];
        long st = index.stride(0);
        for (int i = 0; i < n; i++) {
            idx[i] = Elements.readLong(index.dtype(), index.segment(), index.offset() + i * st);
        }
        return idx;
    }

    /**
     * Layout of the dimensions after {@code dim} of a tensor: {@code stride} when they form one run
     * of {@code count} elements with a fixed stride, otherwise {@code table} holds every offset.
     */
    private record Inner(long count, long stride, long[] table) {
        long offset(long j) {
            return table == null ? j * stride : table[(int) j];
        }
    }

    private static Inner inner(long[] shape, long[] strides, int dim) {
        int r = shape.length;
        long count = 1;
        for (int d = dim + 1; d < r; d++) {
            count *= shape[d];
        }
        // Merge the trailing dimensions (ignoring size 1) into as few runs as possible.
        long size = 1;
        long stride = 1;
        boolean single = true;
        boolean started = false;
        for (int d = r - 1; d > dim; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (!started) {
                size = shape[d];
                stride = strides[d];
                started = true;
            } else if (strides[d] == stride * size) {
                size *= shape[d];
            } else {
                single = false;
            }
        }
        if (single) {
            return new Inner(count, stride, null);
        }
        long[] table = new long[Math.toIntExact(count)];
        long[] counter = new long[r];
        long at = 0;
        for (int j = 0; j < table.length; j++) {
            table[j] = at;
            for (int d = r - 1; d > dim; d--) {
                at += strides[d];
                if (++counter[d] < shape[d]) {
                    break;
                }
                at -= strides[d] * shape[d];
                counter[d] = 0;
            }
        }
        return new Inner(count, 0, table);
    }

    /** Offset of outer position {@code o} (row-major over dimensions before {@code dim}). */
    private static long outerOffset(long o, long[] shape, long[] strides, int dim, long origin) {
        long at = origin;
        for (int d = dim - 1; d >= 0; d--) {
            at += (o % shape[d]) * strides[d];
            o /= shape[d];
        }
        return at;
    }

    static void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        long[] idx = readIndex(index);
        int n = idx.length;
        long[] ss = src.shape();
        long[] st = src.strides();
        Inner in = inner(ss, st, dim);
        long innerN = in.count();
        long outer = out.numel() / ((long) n * innerN);
        long sd = st[dim];
        MemorySegment s = src.segment();
        MemorySegment o = out.segment();
        long so = src.offset();
        long oo = out.offset();
        long items = outer * n;
        CpuParallel.forRange(items, CpuParallel.tasksFor(items * innerN), (part, lo, hi) -> {
            for (long item = lo; item < hi; item++) {
                long ob = item / n;
                int i = (int) (item - ob * n);
                long from = outerOffset(ob, ss, st, dim, so) + idx[i] * sd;
                long to = oo + item * innerN;
                if (in.table() == null && (in.stride() == 1 || innerN == 1)) {
                    if (innerN == 1) {
                        set(o, to, get(s, from));
                    } else {
                        MemorySegment.copy(s, from << 2, o, to << 2, innerN << 2);
                    }
                } else {
                    for (long j = 0; j < innerN; j++) {
                        set(o, to + j, get(s, from + in.offset(j)));
                    }
                }
            }
        });
    }

    static void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        if (src.numel() == 0) {
            return;
        }
        long[] idx = readIndex(index);
        int n = idx.length;
        long[] ds = dst.shape();
        long[] ss = src.shape();
        long[] st = src.strides();
        Inner in = inner(ss, st, dim);
        long innerN = in.count();
        long outer = src.numel() / ((long) n * innerN);
        long dimSize = ds[dim];
        long sd = st[dim];
        boolean contiguousInner = in.table() == null && (in.stride() == 1 || innerN == 1);
        long tile = in.table() == null ? Math.min(innerN, ADD_TILE) : innerN;
        long tiles = StridedRows.ceilDiv(innerN, tile);
        MemorySegment d = dst.segment();
        MemorySegment s = src.segment();
        long dOrigin = dst.offset();
        long sOrigin = src.offset();
        long items = outer * tiles;
        CpuParallel.forRange(items, CpuParallel.tasksFor(outer * n * innerN), (part, lo, hi) -> {
            for (long item = lo; item < hi; item++) {
                long ob = item / tiles;
                long j0 = (item - ob * tiles) * tile;
                long w = Math.min(tile, innerN - j0);
                long srcOuter = outerOffset(ob, ss, st, dim, sOrigin);
                long dstOuter = dOrigin + ob * dimSize * innerN;
                for (int i = 0; i < n; i++) {
                    long dBase = dstOuter + idx[i] * innerN + j0;
                    long sBase = srcOuter + i * sd;
                    if (contiguousInner) {
                        addRun(d, dBase, s, sBase + j0, w);
                    } else {
                        for (long j = j0; j < j0 + w; j++) {
                            long at = dBase + (j - j0);
                            set(d, at, get(d, at) + get(s, sBase + in.offset(j)));
                        }
                    }
                }
            }
        });
    }

    /** {@code d[dOff .. dOff+n) += s[sOff .. sOff+n)}. */
    private static void addRun(MemorySegment d, long dOff, MemorySegment s, long sOff, long n) {
        long j = 0;
        for (; j <= n - L; j += L) {
            store(load(d, dOff + j).add(load(s, sOff + j)), d, dOff + j);
        }
        for (; j < n; j++) {
            set(d, dOff + j, get(d, dOff + j) + get(s, sOff + j));
        }
    }
}
