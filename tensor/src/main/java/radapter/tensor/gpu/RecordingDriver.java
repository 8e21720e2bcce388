package radapter.tensor.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import radapter.tensor.Device;
import radapter.tensor.Storage;

/**
 * The driver a {@link GpuBackend} uses on the thread that runs a task graph's first execution. It
 * forwards everything to the real (tracking) driver and writes down what the device was asked to
 * do, so that later executions replay exactly that without running any Java op:
 * <ul>
 * <li>every launch (kernel, geometry and arguments, buffers unwrapped);</li>
 * <li>every device-to-device copy;</li>
 * <li>every upload, with a private copy of the bytes, except uploads into buffers marked
 * {@linkplain #markConstant constant} (staged host inputs that no kernel writes, whose contents
 * therefore survive until the next replay);</li>
 * <li>every allocation: its buffer belongs to the plan from now on. Releasing it (a memory scope
 * closing, the cleaner) is ignored until the plan is closed, because replays reuse it.</li>
 * </ul>
 * A download is refused: a task that reads device data on the host would replay without doing so
 * (and its data-dependent decisions would be frozen), so tasks must stay on the device.
 */
final class RecordingDriver implements GpuDriver {
    private final GpuDriver inner;
    private final String graph;
    private final List<Step> steps = new ArrayList<>();
    private final List<GpuBuffer> owned = new ArrayList<>();
    private final Set<GpuBuffer> constants = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Storage, Alias> aliases = new IdentityHashMap<>();
    private final Arena captured;
    private String task = "";

    /** One recorded device command. */
    sealed interface Step permits Upload, Copy, Launch {
    }

    /** Host bytes (privately held) to {@code dst} at {@code offset}. */
    record Upload(MemorySegment bytes, GpuBuffer dst, long offset) implements Step {
    }

    /** Device-to-device copy. */
    record Copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long bytes) implements Step {
    }

    /** One kernel launch. */
    record Launch(GpuKernel kernel, long[] global, long[] local, Object[] args) implements Step {
        @Override
        public String toString() {
            return "Launch[" + kernel.name() + " global " + Arrays.toString(global) + " local " + Arrays.toString(local) + "]";
        }
    }

    /**
     * Where a host storage declared as a graph input lives on the device: storage byte
     * {@code hostByteLo} is byte {@code deviceByteOffset} of {@code buffer}, for {@code byteLen}
     * bytes.
     */
    record Alias(GpuBuffer buffer, long deviceByteOffset, long hostByteLo, long byteLen) {
    }

    RecordingDriver(GpuDriver inner, String graph, Arena captured) {
        this.inner = inner;
        this.graph = graph;
        this.captured = captured;
    }

    /** Names the task being recorded, for messages. */
    void task(String name) {
        this.task = name;
    }

    /** Makes host storage bytes [hostByteLo, hostByteLo + byteLen) resolve to {@code buffer} (unwrapped). */
    void addAlias(Storage storage, GpuBuffer buffer, long hostByteLo, long byteLen) {
        aliases.put(storage, new Alias(WrappedBuffer.raw(buffer), 0, hostByteLo, byteLen));
    }

    /** The device copy of host bytes [lo, hi) of {@code storage}, when a declared input covers them. */
    Alias alias(Storage storage, long lo, long hi) {
        Alias a = aliases.get(storage);
        if (a == null || lo < a.hostByteLo() || hi > a.hostByteLo() + a.byteLen()) {
            return null;
        }
        return new Alias(a.buffer(), a.deviceByteOffset() + (lo - a.hostByteLo()), lo, hi - lo);
    }

    /** Uploads into {@code buffer} happen once, at recording: no kernel writes it. */
    void markConstant(GpuBuffer buffer) {
        constants.add(WrappedBuffer.raw(buffer));
    }

    List<Step> steps() {
        return steps;
    }

    /** The buffers allocated while recording, for the plan to release. */
    List<GpuBuffer> owned() {
        return owned;
    }

    /** A buffer whose release waits for the plan: replays reuse it. */
    private static final class PlanOwned extends WrappedBuffer {
        PlanOwned(GpuBuffer inner) {
            super(inner);
        }

        @Override
        public void release() {
            // Owned by the execution plan, released by ExecutionPlan.close().
        }
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public GpuBuffer allocate(long byteSize) {
        GpuBuffer b = inner.allocate(byteSize);
        owned.add(b);
        return new PlanOwned(b);
    }

    @Override
    public void upload(MemorySegment src, GpuBuffer dst, long dstOffset) {
        GpuBuffer raw = WrappedBuffer.raw(dst);
        inner.upload(src, raw, dstOffset);
        if (!constants.contains(raw)) {
            MemorySegment copy = captured.allocate(Math.max(src.byteSize(), 1), 16).asSlice(0, src.byteSize());
            copy.copyFrom(src);
            steps.add(new Upload(copy, raw, dstOffset));
        }
    }

    @Override
    public void download(GpuBuffer src, long srcOffset, MemorySegment dst) {
        throw new IllegalStateException("task '" + task + "' of task graph '" + graph + "' reads device data on the host ("
                + dst.byteSize() + " bytes); a task must stay on the device (no item(), get(), toString() or host tensors "
                + "written by device ops, and no control flow on device values), because later executions replay its "
                + "launches without running it");
    }

    @Override
    public void copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long byteSize) {
        GpuBuffer s = WrappedBuffer.raw(src);
        GpuBuffer d = WrappedBuffer.raw(dst);
        inner.copy(s, srcOffset, d, dstOffset, byteSize);
        steps.add(new Copy(s, srcOffset, d, dstOffset, byteSize));
    }

    @Override
    public GpuProgram compile(String label, String source) {
        return inner.compile(label, source);
    }

    @Override
    public GpuKernel kernel(GpuProgram program, String name) {
        return inner.kernel(program, name);
    }

    @Override
    public void launch(GpuKernel kernel, long[] global, long[] local, Object... args) {
        Object[] raw = WrappedBuffer.rawArgs(args);
        inner.launch(kernel, global, local, raw);
        steps.add(new Launch(kernel, global.clone(), local.clone(), raw));
    }

    @Override
    public void finish() {
        inner.finish();
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("a recording driver is not closed; the plan owns what it recorded");
    }
}
