package radapter.tensor.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.Device;
import radapter.tensor.MemoryScope;
import radapter.tensor.NN;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Task graphs on the {@code opencl} backend (PoCL in CI): a replay computes what eager execution
 * computes, resident inputs cross the bus once and per-step inputs every time, new input contents
 * are seen, tasks that read the device on the host are refused, and closing a plan frees its device
 * memory. Skipped without OpenCL.
 */
class TaskGraphTest {

    /** The example of the TaskGraph documentation: x [8, 16] · w1ᵀ [16, 32] + b1, GELU. */
    private static Tensor mlp(Tensor x, Tensor w1, Tensor b1) {
        return x.matmul(w1.mT()).add(b1).gelu();
    }

    @Test
    void replayEqualsEagerAndPicksUpNewInputs() {
        GpuBackend be = GpuTestSupport.backend();
        Device dev = be.device();
        Rng rng = new Rng(11);
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor w1 = Tensor.randn(rng, 32, 16);
            Tensor b1 = Tensor.randn(rng, 32);
            Tensor x = Tensor.randn(rng, 8, 16);
            TaskGraph g = new TaskGraph("mlp", dev)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, w1, b1)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                    .task("forward", d -> mlp(d.get(x), d.get(w1), d.get(b1)))
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, "forward");
            try (ExecutionPlan plan = g.snapshot()) {
                for (int step = 0; step < 4; step++) {
                    Tensor y = plan.execute().get("forward");
                    assertTrue(y.storage().isHost(), "results come back to the host");
                    Tensor eager = mlp(x.to(dev), w1.to(dev), b1.to(dev)).cpu();
                    assertArrayEquals(eager.toFloatArray(), y.toFloatArray(), "step " + step + ": the same kernels on the same data");
                    Tensor host = mlp(x, w1, b1);
                    float[] h = host.toFloatArray();
                    float[] r = y.toFloatArray();
                    for (int i = 0; i < h.length; i++) {
                        assertEquals(h[i], r[i], 1e-4 * Math.max(1, Math.abs(h[i])), "step " + step + " element " + i + " vs the host backend");
                    }
                    x.copy_(Tensor.randn(rng, 8, 16)); // the next step's input, seen by the next execute()
                }
                assertEquals(4, plan.executions());
                assertEquals(1, plan.uploads(w1), "resident weights are uploaded once");
                assertEquals(1, plan.uploads(b1));
                assertEquals(4, plan.uploads(x), "the per-step input is uploaded at every execution");
                assertEquals(0, plan.recordedUploads(), "a replay uploads nothing but the declared inputs");
                assertTrue(plan.recordedLaunches() >= 3, "matmul, add and gelu are replayed: " + plan.recordedLaunches());
            }
        }
    }

    @Test
    void chainedTasksConstantsAndHostInputsUsedDirectly() {
        GpuBackend be = GpuTestSupport.backend();
        Device dev = be.device();
        Rng rng = new Rng(12);
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor x = Tensor.randn(rng, 5, 7);
            Tensor gamma = Tensor.randn(rng, 7);
            Tensor shift = Tensor.randn(rng, 7);
            TaskGraph g = new TaskGraph("chain", dev)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, gamma)
                    // x and gamma are used as plain host tensors: declared, so they resolve to the device copies;
                    // shift is not declared, so it is a constant of the first execution; 0.5 is staged once
                    .task("norm", d -> NN.layerNorm(x, gamma, shift, 1e-5).mul(0.5))
                    .task("probs", d -> d.result("norm").softmax(-1))
                    .task("top", d -> d.result("probs").sum(1))
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, "probs")
                    .transferToHost(DataTransferMode.FIRST_EXECUTION, "norm")
                    .transferToHost(DataTransferMode.UNDER_DEMAND, "top");
            try (ExecutionPlan plan = g.snapshot()) {
                ExecutionResult first = plan.execute();
                assertEquals(java.util.Set.of("probs", "norm"), first.tasks());
                for (int step = 0; step < 3; step++) {
                    if (step > 0) {
                        x.copy_(Tensor.randn(rng, 5, 7));
                    }
                    ExecutionResult r = step == 0 ? first : plan.execute();
                    Tensor expected = NN.layerNorm(x, gamma, shift, 1e-5).mul(0.5).softmax(-1);
                    float[] e = expected.toFloatArray();
                    float[] got = r.get("probs").toFloatArray();
                    for (int i = 0; i < e.length; i++) {
                        assertEquals(e[i], got[i], 1e-5, "step " + step + " element " + i);
                    }
                    Tensor rowSums = plan.transferToHost("top");
                    assertArrayEquals(new double[] {1, 1, 1, 1, 1}, rowSums.toDoubleArray(), 1e-5);
                }
                assertThrows(IllegalArgumentException.class, () -> plan.execute().get("norm"), "norm came back after the first execution only");
                assertEquals(0, plan.recordedUploads());
            }
        }
    }

    @Test
    void closingThePlanFreesItsDeviceMemory() {
        GpuBackend be = GpuTestSupport.backend();
        Rng rng = new Rng(13);
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor w = Tensor.randn(rng, 64, 64);
            Tensor x = Tensor.randn(rng, 16, 64);
            long before = be.liveDeviceBytes();
            ExecutionPlan plan = new TaskGraph("memory", be.device())
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, w)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                    .task("y", d -> d.get(x).matmul(d.get(w)).relu().add(1.0))
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, "y")
                    .snapshot();
            plan.execute();
            plan.execute();
            long held = plan.deviceBytes();
            assertTrue(held >= (64 * 64 + 16 * 64 + 16 * 64) * 4L, "inputs, intermediates and the result stay resident: " + held);
            long during = be.liveDeviceBytes();
            assertTrue(during - before >= held, "the plan's buffers are counted as live");
            plan.close();
            assertEquals(0, plan.deviceBytes());
            assertTrue(during - be.liveDeviceBytes() >= held, "closing released every buffer of the plan");
            assertTrue(be.liveDeviceBytes() <= before, "nothing of the plan is left: " + be.liveDeviceBytes() + " > " + before);
            assertThrows(IllegalStateException.class, plan::execute);
        }
    }

    @Test
    void hostReadsInsideATaskAreRefused() {
        GpuBackend be = GpuTestSupport.backend();
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor x = Tensor.randn(new Rng(14), 4, 4);
            long before = be.liveDeviceBytes();
            ExecutionPlan plan = new TaskGraph("reads", be.device())
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                    .task("branch", d -> d.get(x).sum().item() > 0 ? d.get(x).exp() : d.get(x).neg())
                    .snapshot();
            IllegalStateException e = assertThrows(IllegalStateException.class, plan::execute);
            assertTrue(e.getMessage().contains("task 'branch'") && e.getMessage().contains("stay on the device"), e.getMessage());
            assertThrows(IllegalStateException.class, plan::execute, "a failed recording closes the plan");
            assertTrue(be.liveDeviceBytes() <= before, "a failed recording releases what it allocated");
            ExecutionPlan hostResult = new TaskGraph("host", be.device()).task("t", d -> Tensor.ones(3)).snapshot();
            assertThrows(IllegalStateException.class, hostResult::execute, "a task must return a device tensor");
        }
    }

    @Test
    void graphsAreCheckedWhenBuilt() {
        Device dev = new Device("opencl", 0);
        assertThrows(IllegalArgumentException.class, () -> new TaskGraph("cpu", Device.CPU));
        TaskGraph g = new TaskGraph("g", dev).task("a", d -> null);
        assertThrows(IllegalArgumentException.class, () -> g.task("a", d -> null), "task names are unique");
        assertThrows(IllegalArgumentException.class, () -> g.transferToHost(DataTransferMode.EVERY_EXECUTION, "b"));
        assertThrows(IllegalArgumentException.class, () -> g.transferToDevice(DataTransferMode.UNDER_DEMAND, Tensor.ones(1)));
        assertThrows(IllegalStateException.class, () -> new TaskGraph("empty", dev).snapshot());
    }
}
