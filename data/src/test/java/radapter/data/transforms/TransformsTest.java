package radapter.data.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.data.image.Interpolation;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class TransformsTest {
    private static RgbImage pattern(int w, int h) {
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, 0, (x * 13 + y) & 0xFF);
                img.set(x, y, 1, (y * 7) & 0xFF);
                img.set(x, y, 2, ((x + y) % 2) * 255);
            }
        }
        return img;
    }

    // ------------------------------------------------------------------ Resize

    @Test
    void resizeShorterSideWithTruncation() {
        assertArrayEquals(new int[] {48, 32}, Resize.outputSize(300, 200, 32));
        assertArrayEquals(new int[] {32, 51}, Resize.outputSize(50, 80, 32));
        assertArrayEquals(new int[] {224, 259}, Resize.outputSize(64, 74, 224));
        assertArrayEquals(new int[] {224, 224}, Resize.outputSize(10, 10, 224));
        // int(224 * 500 / 333) = int(336.34) = 336; int(224 * 500 / 375) = int(298.67) = 298
        assertArrayEquals(new int[] {224, 336}, Resize.outputSize(333, 500, 224));
        assertArrayEquals(new int[] {298, 224}, Resize.outputSize(500, 375, 224));
    }

    @Test
    void resizeIsANoOpWhenShorterSideMatches() {
        RgbImage img = pattern(32, 57);
        assertSame(img, Resize.bicubic(32).apply(img));
        RgbImage out = Resize.bicubic(16).apply(img);
        assertEquals(16, out.width());
        assertEquals(28, out.height()); // int(16 * 57 / 32) = int(28.5)
    }

    // ------------------------------------------------------------------ CenterCrop

    @Test
    void centerCropRoundsHalfToEven() {
        assertEquals(2, CenterCrop.offset(37, 32)); // round(2.5) = 2
        assertEquals(4, CenterCrop.offset(41, 32)); // round(4.5) = 4
        assertEquals(4, CenterCrop.offset(39, 32)); // round(3.5) = 4
        assertEquals(0, CenterCrop.offset(32, 32));
        assertEquals(67, CenterCrop.offset(358, 224)); // round(67.0)
        RgbImage img = pattern(40, 37);
        RgbImage c = new CenterCrop(32).apply(img);
        assertEquals(img.get(4, 2, 0), c.get(0, 0, 0));
        assertEquals(img.get(4, 2, 1), c.get(0, 0, 1));
    }

    @Test
    void centerCropPadsSmallImagesWithBlackLikeTorchvision() {
        RgbImage img = pattern(5, 8);
        RgbImage c = new CenterCrop(8).apply(img);
        // width 5 -> 8: pad left (8-5)//2 = 1, right 2; height already 8.
        assertEquals(-1, CenterCrop.offset(5, 8));
        for (int y = 0; y < 8; y++) {
            assertEquals(0, c.get(0, y, 2));
            assertEquals(0, c.get(6, y, 0) + c.get(6, y, 1) + c.get(6, y, 2));
            assertEquals(0, c.get(7, y, 0) + c.get(7, y, 1) + c.get(7, y, 2));
            for (int x = 1; x <= 5; x++) {
                assertEquals(img.get(x - 1, y, 0), c.get(x, y, 0));
                assertEquals(img.get(x - 1, y, 2), c.get(x, y, 2));
            }
        }
        // Both sides short: 3x3 centred in 6x6 at offset (1, 1).
        RgbImage small = pattern(3, 3);
        RgbImage p = new CenterCrop(6).apply(small);
        assertEquals(small.get(0, 0, 0), p.get(1, 1, 0));
        assertEquals(small.get(2, 2, 1), p.get(3, 3, 1));
        assertEquals(0, p.get(4, 4, 0) + p.get(4, 4, 1) + p.get(4, 4, 2));
    }

    // ------------------------------------------------------------------ ToTensor / Normalize

    @Test
    void toTensorIsChwOver255() {
        RgbImage img = pattern(3, 2);
        Tensor t = ToTensor.apply(img);
        assertArrayEquals(new long[] {3, 2, 3}, t.shape());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    assertEquals((float) img.get(x, y, c) / 255f, (float) t.get(c, y, x));
                }
            }
        }
    }

    @Test
    void normalizeIsFloat32PerChannel() {
        RgbImage img = pattern(4, 4);
        Tensor n = Normalize.CLIP.apply(ToTensor.apply(img));
        float[] mean = {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = {0.26862954f, 0.26130258f, 0.27577711f};
        for (int c = 0; c < 3; c++) {
            float x = (float) img.get(2, 1, c) / 255f;
            assertEquals((x - mean[c]) / std[c], (float) n.get(c, 1, 2));
        }
        Tensor batch = Normalize.CLIP.apply(Batches.stack(List.of(ToTensor.apply(img), ToTensor.apply(img))));
        assertArrayEquals(new long[] {2, 3, 4, 4}, batch.shape());
        assertThrows(IllegalArgumentException.class, () -> Normalize.CLIP.apply(Tensor.zeros(4, 2, 2)));
    }

    @Test
    void stackChecksShapes() {
        assertThrows(IllegalArgumentException.class, () -> Batches.stack(List.of(Tensor.zeros(3, 2, 2), Tensor.zeros(3, 2, 3))));
        assertThrows(IllegalArgumentException.class, () -> Batches.stack(List.of()));
        Tensor s = Batches.stack(List.of(Tensor.full(1, 2, 2), Tensor.full(2, 2, 2)));
        assertArrayEquals(new long[] {2, 2, 2}, s.shape());
        assertEquals(2.0, s.get(1, 1, 1));
    }

    // ------------------------------------------------------------------ RandomResizedCrop

    @Test
    void randomResizedCropIsDeterministicPerSeed() {
        RandomResizedCrop rrc = RandomResizedCrop.of(24, 0.7, Interpolation.BICUBIC);
        RgbImage img = pattern(60, 45);
        RgbImage a = rrc.apply(img, new Rng(42));
        RgbImage b = rrc.apply(img, new Rng(42));
        assertArrayEquals(a.pixels(), b.pixels());
        assertEquals(24, a.width());
        assertEquals(24, a.height());

        List<RandomResizedCrop.Region> r1 = new ArrayList<>();
        List<RandomResizedCrop.Region> r2 = new ArrayList<>();
        Rng g1 = new Rng(7);
        Rng g2 = new Rng(7);
        for (int i = 0; i < 50; i++) {
            r1.add(rrc.sample(500, 375, g1));
            r2.add(rrc.sample(500, 375, g2));
        }
        assertEquals(r1, r2);
        Rng g3 = new Rng(8);
        List<RandomResizedCrop.Region> r3 = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            r3.add(rrc.sample(500, 375, g3));
        }
        assertNotEquals(r1, r3);
    }

    @Test
    void randomResizedCropParameterRanges() {
        for (double scaleMin : new double[] {0.9, 0.7, 0.08}) {
            RandomResizedCrop rrc = RandomResizedCrop.of(224, scaleMin, Interpolation.BICUBIC);
            Rng rng = new Rng(123);
            int w = 500;
            int h = 375;
            double minArea = 1;
            double maxArea = 0;
            for (int i = 0; i < 2000; i++) {
                RandomResizedCrop.Region r = rrc.sample(w, h, rng);
                assertTrue(r.left() >= 0 && r.top() >= 0 && r.left() + r.width() <= w && r.top() + r.height() <= h, r.toString());
                assertTrue(r.width() > 0 && r.height() > 0);
                double area = (double) r.width() * r.height() / (w * h);
                double ratio = (double) r.width() / r.height();
                // w and h are rounded from sqrt(target * aspect), sqrt(target / aspect): allow that slack.
                double slackW = 0.5 / r.width();
                double slackH = 0.5 / r.height();
                assertTrue(area >= scaleMin * (1 - slackW) * (1 - slackH) - 1e-9 && area <= (1 + slackW) * (1 + slackH),
                        "area fraction " + area + " for scale min " + scaleMin);
                assertTrue(ratio >= 0.75 * (1 - slackW) / (1 + slackH) && ratio <= 4.0 / 3 * (1 + slackW) / (1 - slackH),
                        "aspect " + ratio);
                minArea = Math.min(minArea, area);
                maxArea = Math.max(maxArea, area);
            }
            // The draws actually span the range.
            assertTrue(minArea < scaleMin + 0.1 * (1 - scaleMin) + 0.01, "min area " + minArea);
            assertTrue(maxArea > 0.9, "max area " + maxArea);
        }
    }

    @Test
    void randomResizedCropFallsBackToClampedCentreCrop() {
        RandomResizedCrop rrc = RandomResizedCrop.of(16, 0.9, Interpolation.BICUBIC);
        // 400x10: any crop of >= 90 % of the area with aspect <= 4/3 is far taller than 10 rows.
        RandomResizedCrop.Region wide = rrc.sample(400, 10, new Rng(1));
        assertEquals(new RandomResizedCrop.Region(193, 0, 13, 10), wide); // w = round(10 * 4/3) = 13
        RandomResizedCrop.Region tall = rrc.sample(10, 400, new Rng(1));
        assertEquals(new RandomResizedCrop.Region(0, 193, 10, 13), tall); // h = round(10 / (3/4)) = 13
        // Square-ish image, ratio range excludes nothing: with scale (1, 1) the region is the whole image
        // or, if no draw fits, the fallback whole image.
        RandomResizedCrop full = new RandomResizedCrop(8, 1.0, 1.0, 1.0, 1.0, Interpolation.BILINEAR);
        assertEquals(new RandomResizedCrop.Region(0, 0, 30, 30), full.sample(30, 30, new Rng(3)));
    }

    @Test
    void randomStepsNeedAnRng() {
        RgbImage img = pattern(30, 30);
        assertThrows(IllegalArgumentException.class, () -> RandomResizedCrop.of(8, 0.9, Interpolation.BICUBIC).apply(img));
        assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(0.5).apply(img));
        assertThrows(IllegalArgumentException.class, () -> ClipPreprocess.train(8, 0.9).apply(img));
        assertFalse(ClipPreprocess.eval(8).isRandom());
        assertTrue(ClipPreprocess.train(8, 0.9).isRandom());
        assertTrue(ClipPreprocess.fewShotTrain(8).isRandom());
    }

    // ------------------------------------------------------------------ flip

    @Test
    void horizontalFlipProbability() {
        RgbImage img = pattern(6, 3);
        Rng rng = new Rng(9);
        assertSame(img, new RandomHorizontalFlip(0).apply(img, rng));
        RgbImage flipped = new RandomHorizontalFlip(1).apply(img, rng);
        assertEquals(img.get(0, 1, 0), flipped.get(5, 1, 0));
        int flips = 0;
        RandomHorizontalFlip half = new RandomHorizontalFlip(0.5);
        for (int i = 0; i < 4000; i++) {
            if (half.apply(img, rng) != img) {
                flips++;
            }
        }
        assertTrue(flips > 1800 && flips < 2200, "flips " + flips);
        assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5));
    }

    // ------------------------------------------------------------------ pipelines

    @Test
    void trainPipelineShapesAndSeeds() {
        RgbImage img = pattern(50, 40);
        ClipPreprocess train = ClipPreprocess.train(16, 0.9);
        Tensor a = train.batch(List.of(img, img, img), new Rng(5));
        Tensor b = train.batch(List.of(img, img, img), new Rng(5));
        assertArrayEquals(new long[] {3, 3, 16, 16}, a.shape());
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f);

        ClipPreprocess few = ClipPreprocess.fewShotTrain(16);
        Tensor c = few.apply(img, new Rng(11));
        Tensor d = few.apply(img, new Rng(11));
        assertArrayEquals(new long[] {3, 16, 16}, c.shape());
        assertArrayEquals(c.toFloatArray(), d.toFloatArray(), 0f);
    }

    @Test
    void evalPipelineEqualsItsSteps() {
        RgbImage img = pattern(71, 43);
        ClipPreprocess eval = ClipPreprocess.eval(32);
        RgbImage steps = new CenterCrop(32).apply(Resize.bicubic(32).apply(img));
        assertArrayEquals(steps.pixels(), eval.prepare(img, null).pixels());
        assertArrayEquals(Normalize.CLIP.apply(ToTensor.apply(steps)).toFloatArray(), eval.apply(img).toFloatArray(), 0f);
        // Tiny image: Resize upsamples, CenterCrop has nothing to pad.
        assertEquals(32, eval.prepare(pattern(3, 5), null).width());
    }

    @Test
    void composeFlattensAndChains() {
        ImageTransform t = Resize.bicubic(20).andThen(new CenterCrop(20)).andThen(new CenterCrop(10));
        assertTrue(t instanceof Compose);
        assertEquals(3, ((Compose) t).steps().size());
        RgbImage out = t.apply(pattern(40, 30));
        assertEquals(10, out.width());
        assertEquals(10, out.height());
    }
}
