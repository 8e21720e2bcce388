package radapter.adapters.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import radapter.tensor.io.AtomicFiles;

/**
 * PNG plots for run reports (XChart, headless), written atomically. Axes are formatted for people:
 * whole steps from 1 with thousands separators on loss curves, losses and percentages with a fixed
 * number of decimals chosen from the range, and every point of an α sweep labelled with its α
 * (coinciding points share one label).
 */
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
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, List<Double>> e : curves.entrySet()) {
            List<Double> ys = smooth(e.getValue(), Math.max(1, e.getValue().size() / 50));
            if (ys.isEmpty()) {
                continue;
            }
            List<Integer> xs = new ArrayList<>();
            for (int i = 0; i < ys.size(); i++) {
                xs.add(i + 1); // step 1 is the first optimizer step
                lo = Math.min(lo, ys.get(i));
                hi = Math.max(hi, ys.get(i));
            }
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        if (lo <= hi) {
            // XChart 3.8 puts x ticks on the data points when the x values are equally spaced (one
            // label per step, or every 1,029th step of a long run). An invisible point at step 0.5
            // breaks the equal spacing, so the axis gets round tick values instead.
            XYSeries guide = chart.addSeries(" ", new double[] {0.5}, new double[] {lo});
            guide.setShowInLegend(false);
            guide.setMarker(SeriesMarkers.NONE);
            guide.setLineColor(new Color(0, 0, 0, 0));
        }
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisDecimalPattern(decimals(hi - lo));
        save(chart, file);
    }

    /** One α curve: ID and OOD accuracy (fractions) at each α of a sweep, in sweep order. */
    public record AlphaCurve(String name, double[] alphas, double[] id, double[] ood) {
        public AlphaCurve {
            if (alphas.length != id.length || id.length != ood.length) {
                throw new IllegalArgumentException("α curve " + name + ": " + alphas.length + " α values, " + id.length + " ID and "
                        + ood.length + " OOD accuracies");
            }
        }
    }

    /** The weight-space ensembling curve: OOD against ID accuracy for each α, plus reference points. */
    public static void alphaSweep(Path file, double[] alphas, double[] id, double[] ood, Map<String, double[]> points) throws IOException {
        alphaCurves(file, "R-Adapter weight-space ensembling (α sweep)",
                List.of(new AlphaCurve("R-Adapter, α = " + alphaLabel(min(alphas)) + " … " + alphaLabel(max(alphas)), alphas, id, ood)), points);
    }

    /**
     * Several weight-space ensembling curves in one chart (OOD against ID accuracy, one marker per
     * α), plus reference points ({@code {id, ood}} fractions by name).
     */
    public static void alphaCurves(Path file, String title, List<AlphaCurve> curves, Map<String, double[]> points) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(560).title(title)
                .xAxisTitle("ID accuracy (%)").yAxisTitle("OOD average accuracy (%)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        chart.getStyler().setYAxisDecimalPattern("0.0");
        double yRange = 1;
        for (AlphaCurve c : curves) {
            double[] y = toPercent(c.ood());
            yRange = Math.max(yRange, max(y) - min(y));
        }
        for (AlphaCurve c : curves) {
            double[] x = toPercent(c.id());
            double[] y = toPercent(c.ood());
            XYSeries curve = chart.addSeries(c.name(), x, y);
            curve.setMarker(SeriesMarkers.CIRCLE);
            // Each point's α just above it, offset by a fraction of the y range so labels clear the markers.
            // Points that coincide share one label ("α 0.75, 1") instead of printing over each other.
            Map<List<Double>, List<String>> labels = new java.util.LinkedHashMap<>();
            for (int i = 0; i < c.alphas().length; i++) {
                labels.computeIfAbsent(List.of(x[i], y[i]), k -> new ArrayList<>()).add(alphaLabel(c.alphas()[i]));
            }
            for (Map.Entry<List<Double>, List<String>> e : labels.entrySet()) {
                chart.addAnnotation(new AnnotationText("α " + String.join(", ", e.getValue()), e.getKey().get(0), e.getKey().get(1) + 0.06 * yRange, false));
            }
        }
        for (Map.Entry<String, double[]> p : points.entrySet()) {
            XYSeries s = chart.addSeries(p.getKey(), new double[] {100 * p.getValue()[0]}, new double[] {100 * p.getValue()[1]});
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.DIAMOND);
        }
        save(chart, file);
    }

    /** {@code 0}, {@code 0.25}, {@code 1}: the shortest exact form. */
    static String alphaLabel(double a) {
        return java.math.BigDecimal.valueOf(a).stripTrailingZeros().toPlainString();
    }

    /** A tick pattern with enough decimals to tell ticks apart over {@code range}. */
    static String decimals(double range) {
        if (!(range > 0) || range >= 5) {
            return "0.0";
        }
        int d = Math.min(6, Math.max(1, (int) Math.ceil(-Math.log10(range)) + 1));
        return "0." + "0".repeat(d);
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double d : v) {
            m = Math.min(m, d);
        }
        return m;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            m = Math.max(m, d);
        }
        return m;
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
        AtomicFiles.writeStream(file, os -> BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG));
    }
}
