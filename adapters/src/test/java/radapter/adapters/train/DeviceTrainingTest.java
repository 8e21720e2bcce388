package radapter.adapters.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.Backends;
import radapter.tensor.Device;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.testing.Shared;

/**
 * R-Adapter training with the model on an accelerator (OpenCL; PoCL in CI) follows the host run:
 * parameters, EMA copies, gradients and AdamW state live on the device, only batches go up.
 */
class DeviceTrainingTest {
    static final Device OPENCL = new Device("opencl", 0);

    static boolean openclAvailable() {
        return Backends.available().stream().anyMatch(b -> b.device().equals(OPENCL));
    }

    @Test
    void trainingOnTheDeviceMatchesTheHost() throws IOException {
        assumeTrue(openclAvailable(), "no OpenCL platform here (install pocl-opencl-icd to run this)");
        Map<String, float[]> host = null;
        for (Device device : new Device[] {Device.CPU, OPENCL}) {
            try (MemoryScope model = MemoryScope.open();
                    LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null)) {
                AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).dropPath(0.2).build(), new Rng(5));
                FineTunerTest.recipe(ac, 3).device(device).build().run(FineTunerTest.source(6));
                if (device.equals(OPENCL)) {
                    // Everything trained or averaged stayed on the device.
                    m.clip().parameters().forEach(p -> assertEquals(OPENCL, p.data().device(), "parameter left the device"));
                    ac.trainableParameters().forEach(p -> assertTrue(p.grad() == null || p.grad().device().equals(OPENCL)));
                }
                Map<String, float[]> trained = FineTunerTest.adapters(ac);
                if (host == null) {
                    host = trained;
                } else {
                    for (var e : host.entrySet()) {
                        float[] a = e.getValue();
                        float[] b = trained.get(e.getKey());
                        double scale = 1e-3;
                        for (float x : a) {
                            scale = Math.max(scale, Math.abs(x));
                        }
                        for (int i = 0; i < a.length; i++) {
                            assertEquals(a[i], b[i], 2e-3 * scale, e.getKey() + " at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void inferenceOnTheDeviceMatchesTheHost() throws IOException {
        assumeTrue(openclAvailable(), "no OpenCL platform here (install pocl-opencl-icd to run this)");
        try (MemoryScope scope = MemoryScope.open();
                LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null)) {
            Tensor px = Tensor.randn(new Rng(11), 2, 3, 32, 32);
            float[] onHost = m.clip().encodeImage(px).toFloatArray();
            m.clip().to(OPENCL);
            Tensor out = m.clip().encodeImage(px);
            assertEquals(OPENCL, out.device());
            float[] onDevice = out.toFloatArray();
            for (int i = 0; i < onHost.length; i++) {
                assertEquals(onHost[i], onDevice[i], 1e-4 * (1 + Math.abs(onHost[i])), "feature " + i);
            }
        }
    }
}
