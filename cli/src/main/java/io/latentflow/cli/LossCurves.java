package io.latentflow.cli;

import io.latentflow.proto.TrainingEvent;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Loss curves of training runs as one PNG: a chart per run, stacked, each with the metric's value at every step
 * (light) and its moving average (dark) on a logarithmic axis.
 */
final class LossCurves {

    private static final int WIDTH = 900;
    private static final int CHART_HEIGHT = 320;

    private LossCurves() {
    }

    /** One run's rows: the title and the first of {@code metrics} that its rows carry. */
    record Run(String title, List<TrainingEvent> rows) {

        Optional<String> metric(List<String> metrics) {
            return metrics.stream()
                .filter(m -> rows.stream().anyMatch(row -> row.getLossesMap().containsKey(m)))
                .findFirst();
        }
    }

    static void write(List<Run> runs, List<String> metrics, int window, Path out) throws IOException {
        BufferedImage sheet = new BufferedImage(WIDTH, CHART_HEIGHT * runs.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            String metric = run.metric(metrics).orElseThrow(() -> new IllegalArgumentException(
                "run " + run.title() + " has none of the metrics " + metrics));
            chart(run, metric, window).draw(g, new Rectangle2D.Double(0, i * CHART_HEIGHT, WIDTH,
                CHART_HEIGHT));
        }
        g.dispose();
        ImageIO.write(sheet, "png", out.toFile());
    }

    private static JFreeChart chart(Run run, String metric, int window) {
        XYSeries raw = new XYSeries(metric);
        XYSeries smooth = new XYSeries(metric + ", mean of " + window + " steps");
        double sum = 0;
        // a resumed run repeats the steps after its last checkpoint: the last row of each step counts
        Map<Long, TrainingEvent> byStep = new TreeMap<>();
        run.rows().stream().filter(row -> row.getLossesMap().getOrDefault(metric, 0.0) > 0)
            .forEach(row -> byStep.put(row.getStep(), row));
        List<TrainingEvent> rows = List.copyOf(byStep.values());
        for (int i = 0; i < rows.size(); i++) {
            double value = rows.get(i).getLossesMap().get(metric);
            raw.add(rows.get(i).getStep(), value);
            sum += value;
            if (i >= window) {
                sum -= rows.get(i - window).getLossesMap().get(metric);
            }
            smooth.add(rows.get(i).getStep(), sum / Math.min(i + 1, window));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(raw);
        data.addSeries(smooth);
        JFreeChart chart = ChartFactory.createXYLineChart(run.title(), "step", metric, data,
            PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis axis = new LogAxis(metric + " (log scale)");
        axis.setSmallestValue(1e-6);
        axis.setNumberFormatOverride(new DecimalFormat("0.####"));
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(150, 180, 230));
        renderer.setSeriesPaint(1, new Color(20, 50, 140));
        renderer.setSeriesStroke(1, new BasicStroke(2f));
        plot.setRenderer(renderer);
        return chart;
    }
}
