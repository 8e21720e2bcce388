package radapter.tensor.tornadovm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import radapter.tensor.Layout;
import radapter.tensor.Tensor;

/**
 * Moves F32 elements between strided host tensors and flat staging memory (the data of a
 * TornadoVM {@code FloatArray}). Kept apart from the TornadoVM-facing code because it is plain
 * tensor arithmetic: offsets and spans in elements, copies through {@link MemorySegment}.
 */
final class HostTransfer {
    /**
     * The most elements one staging array may hold: TornadoVM arrays are indexed with {@code int}
     * and carry a small header in the same segment.
     */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 64;

    /** Unaligned: mapped checkpoints place tensors at any byte offset, and TornadoVM arrays are byte-aligned. */
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private HostTransfer() {
    }

    /** The storage elements a strided view touches: {@code {first, last}} (inclusive), for non-empty views. */
    static long[] span(Tensor t) {
        long lo = t.offset();
        long hi = t.offset();
        long[] shape = t.shape();
        long[] strides = t.strides();
        for (int d = 0; d < shape.length; d++) {
            long reach = (shape[d] - 1) * strides[d];
            if (reach < 0) {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        return new long[] {lo, hi};
    }

    /** Copies storage elements {@code first .. first+count-1} of {@code t} as they are (no layout change). */
    static void copySpan(Tensor t, long first, long count, MemorySegment dst) {
        MemorySegment.copy(t.segment(), first * Float.BYTES, dst, 0, count * Float.BYTES);
    }

    /** Writes {@code t}'s elements in row-major order to {@code dst[0 .. numel)}, whatever its strides. */
    static void gather(Tensor t, MemorySegment dst) {
        MemorySegment src = t.segment();
        long n = t.numel();
        if (n == 0) {
            return;
        }
        if (t.isContiguous()) {
            MemorySegment.copy(src, t.offset() * Float.BYTES, dst, 0, n * Float.BYTES);
            return;
        }
        if (t.dim() == 0) {
            dst.set(F32, 0, src.getAtIndex(F32, t.offset()));
            return;
        }
        long len = t.size(-1);
        long stride = t.stride(-1);
        Layout.RowCursor rows = new Layout.RowCursor(t);
        long at = 0;
        for (long r = 0; r < rows.rows(); r++, rows.next()) {
            long base = rows.offset();
            if (stride == 1) {
                MemorySegment.copy(src, base * Float.BYTES, dst, at * Float.BYTES, len * Float.BYTES);
            } else {
                for (long j = 0; j < len; j++) {
                    dst.setAtIndex(F32, at + j, src.getAtIndex(F32, base + j * stride));
                }
            }
            at += len;
        }
    }

    /** Reads {@code out.numel()} floats from {@code src} starting at element {@code from} into {@code out} (any strides), row-major. */
    static void scatter(MemorySegment src, long from, Tensor out) {
        MemorySegment dst = out.segment();
        long n = out.numel();
        if (n == 0) {
            return;
        }
        if (out.isContiguous()) {
            MemorySegment.copy(src, from * Float.BYTES, dst, out.offset() * Float.BYTES, n * Float.BYTES);
            return;
        }
        if (out.dim() == 0) {
            dst.setAtIndex(F32, out.offset(), src.getAtIndex(F32, from));
            return;
        }
        long len = out.size(-1);
        long stride = out.stride(-1);
        Layout.RowCursor rows = new Layout.RowCursor(out);
        long at = from;
        for (long r = 0; r < rows.rows(); r++, rows.next()) {
            long base = rows.offset();
            for (long j = 0; j < len; j++) {
                dst.setAtIndex(F32, base + j * stride, src.getAtIndex(F32, at + j));
            }
            at += len;
        }
    }
}
