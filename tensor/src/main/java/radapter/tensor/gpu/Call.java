package radapter.tensor.gpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import radapter.tensor.Storage;
import radapter.tensor.Tensor;

/**
 * One backend call's device-side view of its tensors. Device tensors are used in place. Host
 * tensors (allowed next to device ones, like PyTorch's CPU scalars next to CUDA tensors) are
 * staged: the span of their storage the call touches is uploaded to a temporary buffer, once per
 * storage even when several operands share it (an in-place update reads and writes one storage),
 * and a host tensor the call writes is downloaded back by {@link #complete()}. Temporaries are
 * released by {@link #close()}, success or not.
 *
 * <p>An output that alone covers its whole span (contiguous, not read) is not uploaded first; any
 * other written span is, so that the bytes between a strided output's elements survive the
 * download unchanged.
 *
 * <p>While a task graph records, staged inputs are marked constant (their uploads are not
 * replayed: nothing writes those buffers), and a host tensor declared as a graph input is mapped
 * to the plan's device copy instead of being staged, so replays see its new contents.
 */
final class Call implements AutoCloseable {
    private final GpuBackend backend;
    private final GpuDriver driver;
    private final RecordingDriver recorder;
    private final Map<Storage, Staged> staged = new IdentityHashMap<>();
    private final List<GpuBuffer> temps = new ArrayList<>();

    /** A staged host span: bytes [byteLo, byteLo + byteLen) of the storage live at deviceByteOffset of buffer. */
    private record Staged(GpuBuffer buffer, long deviceByteOffset, long byteLo, long byteLen, boolean written) {
    }

    private static final class Span {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        boolean read;
        boolean written;
        int tensors;
        boolean denseWrite;
    }

    Call(GpuBackend backend, Tensor[] reads, Tensor[] writes) {
        this.backend = backend;
        this.driver = backend.driver();
        this.recorder = backend.recorder();
        Map<Storage, Span> spans = new IdentityHashMap<>();
        for (Tensor t : reads) {
            if (t != null && t.numel() > 0 && t.storage().isHost()) {
                Span s = span(spans, t);
                s.read = true;
            }
        }
        for (Tensor t : writes) {
            if (t != null && t.numel() > 0 && t.storage().isHost()) {
                Span s = span(spans, t);
                s.written = true;
                s.denseWrite = t.isContiguous();
            }
        }
        try {
            for (Map.Entry<Storage, Span> e : spans.entrySet()) {
                stage(e.getKey(), e.getValue());
            }
        } catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    private static Span span(Map<Storage, Span> spans, Tensor t) {
        Span s = spans.computeIfAbsent(t.storage(), k -> new Span());
        long es = t.dtype().byteSize();
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
        s.lo = Math.min(s.lo, lo * es);
        s.hi = Math.max(s.hi, (hi + 1) * es);
        s.tensors++;
        return s;
    }

    private void stage(Storage storage, Span s) {
        long len = s.hi - s.lo;
        if (recorder != null && !s.written) {
            RecordingDriver.Alias alias = recorder.alias(storage, s.lo, s.hi);
            if (alias != null) {
                staged.put(storage, new Staged(alias.buffer(), alias.deviceByteOffset(), s.lo, len, false));
                return;
            }
        }
        GpuBuffer buf = temp(len);
        boolean upload = s.read || !(s.tensors == 1 && s.denseWrite);
        if (recorder != null && !s.written) {
            recorder.markConstant(buf);
        }
        if (upload) {
            driver.upload(storage.segment().asSlice(s.lo, len), buf, 0);
        }
        staged.put(storage, new Staged(buf, 0, s.lo, len, s.written));
    }

    /** Device-side view of {@code t} (null stays null). */
    DeviceView view(Tensor t) {
        if (t == null) {
            return null;
        }
        if (t.numel() == 0) {
            return DeviceView.of(backend.dummy(), 0, t);
        }
        Storage storage = t.storage();
        if (!storage.isHost()) {
            return DeviceView.of(backend.bufferOf(t), t.offset(), t);
        }
        Staged s = staged.get(storage);
        if (s == null) {
            throw new IllegalStateException("host tensor was not declared to this call");
        }
        long es = t.dtype().byteSize();
        long byteOffset = t.offset() * es - s.byteLo() + s.deviceByteOffset();
        if (byteOffset % es != 0) {
            throw new IllegalStateException("misaligned host view of " + t.dtype() + " at byte " + byteOffset);
        }
        return DeviceView.of(s.buffer(), byteOffset / es, t);
    }

    /** A temporary device buffer released with this call; returned unwrapped, ready for kernels. */
    GpuBuffer temp(long bytes) {
        GpuBuffer b = driver.allocate(bytes);
        temps.add(b);
        GpuBuffer raw = WrappedBuffer.raw(b);
        return raw;
    }

    /** Marks a temporary this call uploaded to itself as constant for a recording (its upload is not replayed). */
    void constant(GpuBuffer tempBuffer) {
        if (recorder != null) {
            recorder.markConstant(tempBuffer);
        }
    }

    /** Downloads every written host span: the call's results reach their host tensors. */
    void complete() {
        for (Map.Entry<Storage, Staged> e : staged.entrySet()) {
            Staged s = e.getValue();
            if (s.written()) {
                MemorySegment dst = e.getKey().segment().asSlice(s.byteLo(), s.byteLen());
                driver.download(s.buffer(), s.deviceByteOffset(), dst);
            }
        }
    }

    @Override
    public void close() {
        for (GpuBuffer b : temps) {
            b.release();
        }
        temps.clear();
    }
}
