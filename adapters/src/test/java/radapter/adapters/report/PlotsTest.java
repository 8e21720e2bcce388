package radapter.adapters.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plots are written, with tick patterns and α labels chosen for people. */
class PlotsTest {
    @TempDir
    Path tmp;

    @Test
    void tickPatternsFollowTheRange() {
        assertEquals("0.0", Plots.decimals(12));
        assertEquals("0.00", Plots.decimals(0.8));
        assertEquals("0.000", Plots.decimals(0.05));
        assertEquals("0.0", Plots.decimals(0));
        assertEquals("0.25", Plots.alphaLabel(0.25));
        assertEquals("1", Plots.alphaLabel(1.0));
        assertEquals("0", Plots.alphaLabel(0.0));
    }

    @Test
    void shortRunsAndSweepsPlot() throws Exception {
        Path loss = tmp.resolve("loss.png");
        Plots.lossCurves(loss, "loss", Map.of("MPM-NCE", List.of(2.0, 1.9, 1.7)));
        Path sweep = tmp.resolve("alpha_sweep.png");
        Plots.alphaSweep(sweep, new double[] {0, 0.25, 0.5, 0.75, 1}, new double[] {0.5, 0.6, 0.65, 0.7, 0.72},
                new double[] {0.3, 0.32, 0.33, 0.31, 0.28}, Map.of("zero-shot", new double[] {0.5, 0.3}));
        for (Path p : List.of(loss, sweep)) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertTrue(img.getWidth() >= 800, p.toString());
        }
    }
}
