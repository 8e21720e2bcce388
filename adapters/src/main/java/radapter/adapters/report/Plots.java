package radapter.adapters.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots for run reports (XChart, headless), written atomically. */
public final class Plots {
    private Plots() {
    }

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Loss curves, one series per name, x = step; each curve is also smoothed with a running mean. */
    public static void lossCurves(Path file, String title, Map<String, List<Double>> curves) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(480).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        for (Map.Entry<String, List<Double>> e : curves.entrySet()) {
            List<Double> ys = smooth(e.getValue(), Math.max(1, e.getValue().size() / 50));
            if (ys.isEmpty()) {
                continue;
            }
            List<Integer> xs = new ArrayList<>();
            for (int i = 0; i < ys.size(); i++) {
                xs.add(i);
            }
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        save(chart, file);
    }

    /** One α curve: ID and OOD accuracy (fractions) at each α of a sweep, in sweep order. */
    public record AlphaCurve(String name, double[] id, double[] ood) {
    }

    /** The weight-space ensembling curve: OOD against ID accuracy for each α, plus reference points. */
    public static void alphaSweep(Path file, double[] alphas, double[] id, double[] ood, Map<String, double[]> points) throws IOException {
        alphaCurves(file, "R-Adapter weight-space ensembling (α sweep)", List.of(new AlphaCurve("R-Adapter, α = 0 … 1", id, ood)), points);
    }

    /**
     * Several weight-space ensembling curves in one chart (OOD against ID accuracy, one marker per
     * α), plus reference points ({@code {id, ood}} fractions by name).
     */
    public static void alphaCurves(Path file, String title, List<AlphaCurve> curves, Map<String, double[]> points) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(560).title(title)
                .xAxisTitle("ID accuracy (%)").yAxisTitle("OOD average accuracy (%)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        for (AlphaCurve c : curves) {
            XYSeries curve = chart.addSeries(c.name(), toPercent(c.id()), toPercent(c.ood()));
            curve.setMarker(SeriesMarkers.CIRCLE);
        }
        for (Map.Entry<String, double[]> p : points.entrySet()) {
            XYSeries s = chart.addSeries(p.getKey(), new double[] {100 * p.getValue()[0]}, new double[] {100 * p.getValue()[1]});
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.DIAMOND);
        }
        save(chart, file);
    }

    private static double[] toPercent(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = 100 * v[i];
        }
        return o;
    }

    private static List<Double> smooth(List<Double> v, int window) {
        List<Double> out = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < v.size(); i++) {
            sum += v.get(i);
            if (i >= window) {
                sum -= v.get(i - window);
            }
            out.add(sum / Math.min(i + 1, window));
        }
        return out;
    }

    private static void save(XYChart chart, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".plot.", ".png");
        try {
            BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
