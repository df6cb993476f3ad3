package io.flinkasr.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The run as a PNG of two charts side by side: (a) throughput of raw Vosk warm, raw Vosk naive and
 * flink-asr by parallelism, flink-asr's bars labelled with their efficiency; (b) the clip's p50 and p95
 * latency idle and beside the long load, with raw Vosk's one-thread time as a line.
 */
public final class BenchChart {
    static final int WIDTH = 1400;
    static final int HEIGHT = 600;

    private BenchChart() {}

    public static void write(BenchResult r, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            throughput(r).draw(g, new Rectangle2D.Double(0, 0, WIDTH / 2.0, HEIGHT));
            latency(r).draw(g, new Rectangle2D.Double(WIDTH / 2.0, 0, WIDTH / 2.0, HEIGHT));
        } finally {
            g.dispose();
        }
        Path parent = png.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = parent.resolve(".partial-" + png.getFileName());
        if (!ImageIO.write(image, "png", partial.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
        Files.move(partial, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static JFreeChart throughput(BenchResult r) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (BenchResult.Batch b : r.batches()) {
            String column = column(b.pipeline().parallelism());
            data.addValue(b.rawWarm().speed(), ThroughputRun.RAW_WARM, column);
            data.addValue(null, ThroughputRun.RAW_NAIVE, column);
            data.addValue(b.pipeline().speed(), ThroughputRun.PIPELINE, column);
        }
        ThroughputRun naive = r.raw().naive();
        if (naive != null) {
            String column = column(naive.parallelism());
            if (data.getColumnIndex(column) < 0) {
                data.addValue(null, ThroughputRun.PIPELINE, column);
            }
            data.addValue(naive.speed(), ThroughputRun.RAW_NAIVE, column);
            ThroughputRun warm = r.raw().warmAt(naive.parallelism());
            if (warm != null) {
                data.addValue(warm.speed(), ThroughputRun.RAW_WARM, column);
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(
                title("(a) throughput by parallelism", r), r.header().local() ? "parallelism (raw Vosk: threads)" : "raw Vosk threads (flink-asr: the deployment)",
                "audio seconds per wall second", data);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        style(chart, renderer);
        renderer.setSeriesPaint(data.getRowIndex(ThroughputRun.RAW_WARM), new Color(0x4C72B0));
        renderer.setSeriesPaint(data.getRowIndex(ThroughputRun.RAW_NAIVE), new Color(0x8C8C8C));
        renderer.setSeriesPaint(data.getRowIndex(ThroughputRun.PIPELINE), new Color(0xDD8452));
        renderer.setDefaultItemLabelGenerator(labels((dataset, row, column) -> {
            Number v = dataset.getValue(row, column);
            if (v == null) {
                return null;
            }
            String label = String.format(Locale.ROOT, "%.1f", v.doubleValue());
            if (ThroughputRun.PIPELINE.equals(dataset.getRowKey(row))) {
                BenchResult.Batch b = batchAt(r, (String) dataset.getColumnKey(column));
                if (b != null) {
                    label += String.format(Locale.ROOT, " (eff. %.2f)", b.efficiency());
                }
            }
            return label;
        }));
        renderer.setDefaultItemLabelsVisible(true);
        return chart;
    }

    static JFreeChart latency(BenchResult r) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        BenchResult.Latency l = r.latency();
        if (l != null) {
            String idle = r.header().local() ? "idle warm stack" : "idle deployment";
            data.addValue(l.idle().p50(), "p50", idle);
            data.addValue(l.idle().p95(), "p95", idle);
            if (l.loaded() != null) {
                String loaded = String.format(Locale.ROOT, "beside a %.0f min input", l.loadSeconds() / 60);
                data.addValue(l.loaded().p50(), "p50", loaded);
                data.addValue(l.loaded().p95(), "p95", loaded);
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(
                title("(b) the 10 s clip, submit → Finished", r), null, "seconds", data);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        style(chart, renderer);
        renderer.setSeriesPaint(0, new Color(0x55A868));
        renderer.setSeriesPaint(1, new Color(0xC44E52));
        renderer.setDefaultItemLabelGenerator(labels((dataset, row, column) ->
                String.format(Locale.ROOT, "%.2f s", dataset.getValue(row, column).doubleValue())));
        renderer.setDefaultItemLabelsVisible(true);
        if (l != null) {
            ValueMarker raw = new ValueMarker(l.rawOneThread(), Color.BLACK, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            raw.setLabel(String.format(Locale.ROOT, "raw Vosk, 1 thread: %.2f s", l.rawOneThread()));
            raw.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            raw.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            raw.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            plot.addRangeMarker(raw);
            double top = Math.max(l.rawOneThread(), l.loaded() != null ? l.loaded().p95() : l.idle().p95());
            plot.getRangeAxis().setUpperBound(top * 1.25);
        }
        return chart;
    }

    /** A bar's label. */
    private interface Label {
        String of(CategoryDataset dataset, int row, int column);
    }

    private static StandardCategoryItemLabelGenerator labels(Label label) {
        return new StandardCategoryItemLabelGenerator() {
            @Override
            public String generateLabel(CategoryDataset dataset, int row, int column) {
                return label.of(dataset, row, column);
            }
        };
    }

    private static void style(JFreeChart chart, BarRenderer renderer) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setBackgroundPaint(new Color(0xF4F4F4));
        chart.getCategoryPlot().setRangeGridlinePaint(Color.GRAY);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getCategoryPlot().getRangeAxis().setUpperMargin(0.15);
    }

    private static String title(String what, BenchResult r) {
        return what + (r.header().quick() ? " (QUICK)" : "");
    }

    private static String column(Integer parallelism) {
        return parallelism == null ? "deployment" : String.valueOf(parallelism);
    }

    private static BenchResult.Batch batchAt(BenchResult r, String column) {
        for (BenchResult.Batch b : r.batches()) {
            if (column(b.pipeline().parallelism()).equals(column)) {
                return b;
            }
        }
        return null;
    }
}
