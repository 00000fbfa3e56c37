package io.demandcast.app.demo;

import io.demandcast.model.Bucket;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the demo's report into a directory: {@code report.html} with its PNG plots (actual demand against the
 * streamed next-bucket P50 and its P10-P90 band for the top products, and MASE by horizon step for the streamed
 * forecasts and the seasonal naive), {@code summary.txt} (what the console printed) and {@code forecasts.csv}
 * (every scored point). The plots follow the look of the backtest report's (XChart, drawn headless).
 */
final class DemoReport {

    private static final Color STREAMED = new Color(31, 119, 180);
    private static final Color NAIVE = new Color(255, 127, 14);
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 420;

    private DemoReport() {
    }

    /** Writes everything; returns the files written, the report first. */
    static List<Path> write(Path dir, DemoSummary summary, DemoEvaluation.Result scored, List<String> plotted,
                            StockSimulation.Result whatIf) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        Path report = dir.resolve("report.html");
        files.add(report);
        List<String> images = new ArrayList<>();
        for (int i = 0; i < plotted.size(); i++) {
            String product = plotted.get(i);
            if (!scored.demandByProduct().containsKey(product)) {
                continue;
            }
            String name = "product_" + (i + 1) + ".png";
            save(productChart(product, summary, scored), dir.resolve(name));
            files.add(dir.resolve(name));
            images.add(name);
        }
        save(errorByStepChart(summary), dir.resolve("error_by_step.png"));
        files.add(dir.resolve("error_by_step.png"));
        Files.writeString(dir.resolve("summary.txt"), summary.text(), StandardCharsets.UTF_8);
        files.add(dir.resolve("summary.txt"));
        writePoints(scored, dir.resolve("forecasts.csv"));
        files.add(dir.resolve("forecasts.csv"));
        boolean stockPlot = whatIf != null && !whatIf.days().isEmpty();
        if (stockPlot) {
            save(stockChart(whatIf), dir.resolve("what_if_stock.png"));
            files.add(dir.resolve("what_if_stock.png"));
        }
        writeHtml(report, summary, plotted, images, whatIf, stockPlot);
        return files;
    }

    private static void writeHtml(Path file, DemoSummary s, List<String> plotted, List<String> images,
                                  StockSimulation.Result whatIf, boolean stockPlot) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Demandcast demo</title>\n"
                    + "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:"
                    + "collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                    + "td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;padding:1em}</style>"
                    + "</head><body>\n<h1>Demandcast demo: streaming forecasts on Online Retail</h1>\n");
            out.write("<p>" + html(s.story()) + "</p>\n");
            out.write("<h2>Accuracy of the streamed forecasts</h2>\n<table><tr><th>method</th><th>products</th>"
                    + "<th>points</th><th>MASE mean</th><th>MASE median</th><th>WAPE</th><th>bias</th>"
                    + "<th>P10-P90 coverage</th></tr>\n");
            for (DemoEvaluation.Figures f : s.figures().values()) {
                out.write("<tr><td>" + html(s.label(f.method())) + "</td><td>" + f.products() + "</td><td>"
                        + f.points() + "</td>" + cell(f.maseMean()) + cell(f.maseMedian()) + cell(f.wape())
                        + cell(f.bias()) + cell(f.coverage()) + "</tr>\n");
            }
            out.write("</table>\n<p>MASE: scale from each forecast's own past (mean absolute 7-day difference of "
                    + "the product's demand up to the forecast's last observed day); below 1 beats the in-sample "
                    + "seasonal naive. Actuals are daily net units from <code>sales-actuals</code> (read_committed), "
                    + "below zero counted as zero demand. Both methods are scored on the same products, origins and "
                    + "horizon steps.</p>\n");
            if (whatIf != null) {
                out.write("<h2>What-if: the restock policy on this replay</h2>\n<p>The restock alerts' rule used as "
                        + "the ordering policy (service level " + whatIf.serviceLevel() + ", lead time "
                        + whatIf.lead() + " days, one review day): each product starts with the stock its first "
                        + "evaluation asks for, orders what a raised alert suggests, receives it after the lead "
                        + "time, and serves the day's actual demand from what it has (unserved demand is lost). "
                        + "Driven by the streamed forecasts, then by the seasonal naive.</p>\n<table><tr><th>"
                        + "policy driven by</th><th>products</th><th>product-days</th><th>fill rate</th><th>stock-out "
                        + "days</th><th>mean stock</th><th>orders</th></tr>\n");
                for (StockSimulation.Outcome o : whatIf.outcomes().values()) {
                    out.write("<tr><td>" + html(StockSimulation.label(o.method())) + "</td><td>" + o.products()
                            + "</td><td>" + o.productDays() + "</td>" + cell(o.fillRate()) + "<td>"
                            + o.stockoutDays() + "</td>" + cell(o.meanStock()) + "<td>" + o.orders()
                            + "</td></tr>\n");
                }
                out.write("</table>\n");
                if (stockPlot) {
                    out.write("<p><img src=\"what_if_stock.png\" alt=\"stock of " + html(whatIf.plotted())
                            + "\"></p>\n");
                }
            }
            out.write("<h2>Error by horizon step</h2>\n<p><img src=\"error_by_step.png\" alt=\"MASE by step\"></p>\n");
            for (int i = 0; i < images.size(); i++) {
                out.write("<h2>Product " + html(plotted.get(i)) + "</h2>\n<p><img src=\"" + images.get(i)
                        + "\" alt=\"" + html(plotted.get(i)) + "\"></p>\n");
            }
            out.write("<h2>Run</h2>\n<pre>" + html(s.text()) + "</pre>\n");
            out.write("<p>Files: summary.txt, forecasts.csv (every scored point).</p>\n</body></html>\n");
        }
    }

    private static XYChart productChart(String product, DemoSummary s, DemoEvaluation.Result scored) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(product + ": actual vs streamed next-day forecast")
                .xAxisTitle("day").yAxisTitle("units").build();
        style(chart);
        List<DemoEvaluation.Point> streamed = new ArrayList<>();
        List<DemoEvaluation.Point> naive = new ArrayList<>();
        for (DemoEvaluation.Point p : scored.points()) {
            if (p.product().equals(product) && p.step() == 1) {
                (p.method().equals(DemoEvaluation.STREAMED) ? streamed : naive).add(p);
            }
        }
        if (!streamed.isEmpty()) {
            List<Date> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (DemoEvaluation.Point p : streamed) {
                x.add(Date.from(p.target()));
                y.add(p.p90());
            }
            for (int i = streamed.size() - 1; i >= 0; i--) {
                x.add(Date.from(streamed.get(i).target()));
                y.add(streamed.get(i).p10());
            }
            XYSeries band = chart.addSeries(s.label(DemoEvaluation.STREAMED) + " P10-P90", x, y);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(new Color(STREAMED.getRed(), STREAMED.getGreen(), STREAMED.getBlue(), 60));
            band.setLineColor(new Color(0, 0, 0, 0));
            band.setMarker(SeriesMarkers.NONE);
        }
        double[] demand = scored.demandByProduct().get(product);
        Instant start = scored.demandStarts().get(product);
        List<Date> ax = new ArrayList<>();
        List<Double> ay = new ArrayList<>();
        Instant from = s.replayed().from();
        for (int i = 0; i < demand.length; i++) {
            Instant t = Bucket.DAY.plus(start, i);
            if (!t.isBefore(from)) {
                ax.add(Date.from(t));
                ay.add(demand[i]);
            }
        }
        if (!ax.isEmpty()) {
            XYSeries actual = chart.addSeries("actual", ax, ay);
            actual.setLineColor(Color.BLACK);
            actual.setMarker(SeriesMarkers.NONE);
            actual.setLineWidth(1.5f);
            actual.setLineStyle(SeriesLines.SOLID);
        }
        line(chart, s.label(DemoEvaluation.STREAMED) + " P50", streamed, STREAMED, new BasicStroke(2.2f));
        line(chart, "seasonal naive P50", naive, NAIVE, new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        return chart;
    }

    private static void line(XYChart chart, String name, List<DemoEvaluation.Point> points, Color color,
                             BasicStroke stroke) {
        if (points.isEmpty()) {
            return;
        }
        List<Date> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (DemoEvaluation.Point p : points) {
            x.add(Date.from(p.target()));
            y.add(p.p50());
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setLineColor(color);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineStyle(stroke);
    }

    private static XYChart stockChart(StockSimulation.Result whatIf) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(whatIf.plotted() + ": stock on hand at the end of each day under the restock policy")
                .xAxisTitle("day").yAxisTitle("units").build();
        style(chart);
        List<Date> x = whatIf.days().stream().map(Date::from).toList();
        XYSeries demand = chart.addSeries("actual demand", x, whatIf.plottedDemand());
        demand.setLineColor(Color.BLACK);
        demand.setMarker(SeriesMarkers.NONE);
        demand.setLineStyle(SeriesLines.SOLID);
        for (Map.Entry<String, List<Double>> e : whatIf.plottedStock().entrySet()) {
            List<Double> y = e.getValue();
            if (y.isEmpty()) {
                continue;
            }
            Color color = e.getKey().equals(DemoEvaluation.STREAMED) ? STREAMED : NAIVE;
            XYSeries stock = chart.addSeries("stock, " + StockSimulation.label(e.getKey()) + " policy",
                    x.subList(0, Math.min(x.size(), y.size())), y.subList(0, Math.min(x.size(), y.size())));
            stock.setLineColor(color);
            stock.setMarker(SeriesMarkers.NONE);
            stock.setLineWidth(2f);
            stock.setLineStyle(SeriesLines.SOLID);
        }
        return chart;
    }

    private static XYChart errorByStepChart(DemoSummary s) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Error by horizon step: mean over products of MASE at that step")
                .xAxisTitle("step (days ahead)").yAxisTitle("MASE").build();
        style(chart);
        for (DemoEvaluation.Figures f : s.figures().values()) {
            List<Integer> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int h = 0; h < f.maseByStep().length; h++) {
                if (Double.isFinite(f.maseByStep()[h])) {
                    x.add(h + 1);
                    y.add(f.maseByStep()[h]);
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            Color color = f.method().equals(DemoEvaluation.STREAMED) ? STREAMED : NAIVE;
            XYSeries series = chart.addSeries(s.label(f.method()), x, y);
            series.setLineColor(color);
            series.setMarkerColor(color);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setLineStyle(SeriesLines.SOLID);
        }
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    private static void writePoints(DemoEvaluation.Result scored, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("product,origin,target,step,method,actual,p10,p50,p90\n");
            StringBuilder line = new StringBuilder(96);
            for (DemoEvaluation.Point p : scored.points()) {
                line.setLength(0);
                line.append(csv(p.product())).append(',').append(day(p.origin())).append(',')
                        .append(day(p.target())).append(',').append(p.step()).append(',').append(p.method())
                        .append(',').append(p.actual()).append(',').append(p.p10()).append(',').append(p.p50())
                        .append(',').append(p.p90()).append('\n');
                out.write(line.toString());
            }
        }
    }

    private static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setLegendBackgroundColor(new Color(255, 255, 255, 200));
        chart.getStyler().setDatePattern("yyyy-MM-dd");
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static String day(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static String cell(double v) {
        return "<td>" + (Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "&ndash;") + "</td>";
    }

    private static String csv(String text) {
        return text.indexOf(',') < 0 && text.indexOf('"') < 0 ? text : '"' + text.replace("\"", "\"\"") + '"';
    }

    static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
