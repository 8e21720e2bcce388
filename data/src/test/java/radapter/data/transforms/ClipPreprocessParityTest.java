package radapter.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import radapter.data.image.ImageDecoder;
import radapter.data.image.RgbImage;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/**
 * CLIP eval preprocessing against the golden fixtures ({@code preprocess/}, produced by the
 * official pipeline on Pillow 9.4.0): sizes and offsets exact, pixels bit for bit.
 */
class ClipPreprocessParityTest {
    private record Case(String name, Path file, int resolution, int[] resizedWh, int[] cropLeftTop,
                        String pixelValues, String croppedRgb) {
    }

    @SuppressWarnings("unchecked")
    private static List<Case> cases() throws IOException {
        Path json = Shared.fixtures("preprocess/cases.json");
        Map<String, Object> root = Json.parseObject(Files.readString(json));
        List<Case> out = new ArrayList<>();
        for (Object o : (List<Object>) root.get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            Path file = json.resolveSibling((String) c.get("file"));
            Map<String, Object> res = (Map<String, Object>) c.get("resolutions");
            for (Map.Entry<String, Object> e : res.entrySet()) {
                Map<String, Object> r = (Map<String, Object>) e.getValue();
                out.add(new Case((String) c.get("name"), file, Integer.parseInt(e.getKey()),
                        ints((List<Object>) r.get("resized_wh")), ints((List<Object>) r.get("crop_left_top")),
                        (String) r.get("pixel_values"), (String) r.get("cropped_rgb")));
            }
        }
        assertEquals(6, out.size(), "3 images x 2 resolutions");
        return out;
    }

    private static int[] ints(List<Object> l) {
        return l.stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    @Test
    void resizedSizesAndCropOffsets() throws IOException {
        for (Case c : cases()) {
            RgbImage img = ImageDecoder.decode(c.file());
            int[] wh = Resize.outputSize(img.width(), img.height(), c.resolution());
            assertArrayEquals(c.resizedWh(), wh, c.name() + "@" + c.resolution() + " resized size");
            assertEquals(c.cropLeftTop()[0], CenterCrop.offset(wh[0], c.resolution()), c.name() + "@" + c.resolution() + " left");
            assertEquals(c.cropLeftTop()[1], CenterCrop.offset(wh[1], c.resolution()), c.name() + "@" + c.resolution() + " top");
        }
    }

    @Test
    void croppedRgbAndPixelValuesAreBitExact() throws IOException {
        try (SafeTensors expected = SafeTensors.open(Shared.fixtures("preprocess/expected.safetensors"))) {
            int croppedChecked = 0;
            for (Case c : cases()) {
                String label = c.name() + "@" + c.resolution();
                RgbImage img = ImageDecoder.decode(c.file());
                ClipPreprocess pre = ClipPreprocess.eval(c.resolution());

                // Fused resize+crop and the plain step-by-step path must agree exactly.
                RgbImage fused = pre.prepare(img, null);
                RgbImage stepwise = new CenterCrop(c.resolution()).apply(Resize.bicubic(c.resolution()).apply(img));
                assertArrayEquals(stepwise.pixels(), fused.pixels(), label + " fused vs step-by-step");

                if (c.croppedRgb() != null) {
                    int[] exp = expected.get(c.croppedRgb()).toIntArray();
                    int[] act = new int[exp.length];
                    for (int i = 0; i < act.length; i++) {
                        act[i] = fused.pixels()[i] & 0xFF;
                    }
                    assertArrayEquals(exp, act, label + " cropped_rgb");
                    croppedChecked++;
                }

                Tensor t = pre.apply(img);
                assertArrayEquals(new long[] {3, c.resolution(), c.resolution()}, t.shape());
                float[] exp = expected.get(c.pixelValues()).toFloatArray();
                float[] act = t.toFloatArray();
                assertEquals(exp.length, act.length);
                for (int i = 0; i < exp.length; i++) {
                    if (Float.floatToRawIntBits(exp[i]) != Float.floatToRawIntBits(act[i])) {
                        throw new AssertionError(label + " pixel_values differ at " + i + ": expected " + exp[i] + ", got " + act[i]);
                    }
                }

                // The unfused ToTensor -> Normalize path gives the same bits.
                float[] viaSteps = Normalize.CLIP.apply(ToTensor.apply(fused)).toFloatArray();
                assertArrayEquals(exp, viaSteps, 0f, label + " ToTensor+Normalize");
            }
            assertEquals(3, croppedChecked);
        }
    }

    @Test
    void batchOfFixturesStacksThePerImageTensors() throws IOException {
        List<RgbImage> imgs = new ArrayList<>();
        List<Tensor> singles = new ArrayList<>();
        ClipPreprocess pre = ClipPreprocess.eval(32);
        for (Case c : cases()) {
            if (c.resolution() == 32) {
                RgbImage img = ImageDecoder.decode(c.file());
                imgs.add(img);
                singles.add(pre.apply(img));
            }
        }
        Tensor batch = pre.batch(imgs, null);
        assertArrayEquals(new long[] {3, 3, 32, 32}, batch.shape());
        assertArrayEquals(Batches.stack(singles).toFloatArray(), batch.toFloatArray(), 0f);
    }
}
