package io.demandcast.model.backtest;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.metrics.MethodSummary;
import io.demandcast.model.metrics.SeriesErrors;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The HTML report and its PNG plots (XChart, drawn headless). */
final class ReportCharts {

    private static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
        new Color(148, 103, 189), new Color(140, 86, 75)};
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 420;

    private ReportCharts() {
    }

    static void write(BacktestResult result, Path dir) throws IOException {
        // Charts are drawn into images only; without this a JVM on a machine with no display may fail in AWT.
        System.setProperty("java.awt.headless", "true");
        List<String> methods = result.methods();
        String primary = primaryMethod(result);
        List<SeriesErrors> primaryErrors = result.perSeries().get(primary);
        int largest = largestSeries(result);
        int worst = worstSeries(primaryErrors);

        save(seriesChart(result, largest, primary, "Largest series"), dir.resolve("series_largest.png"));
        if (worst >= 0) {
            save(seriesChart(result, worst, primary, "Worst series by MASE of " + primary),
                    dir.resolve("series_worst.png"));
        }
        save(errorByStepChart(result), dir.resolve("error_by_step.png"));
        save(metricsChart(result), dir.resolve("metrics.png"));

        try (Writer out = Files.newBufferedWriter(dir.resolve("report.html"), StandardCharsets.UTF_8)) {
            BacktestConfig c = result.config();
            out.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Demandcast backtest</title>\n"
                    + "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:"
                    + "collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                    + "td:first-child,th:first-child{text-align:left}</style></head><body>\n");
            out.write("<h1>Backtest</h1>\n<p>" + result.series().size() + " series (" + result.skippedSeries()
                    + " skipped, not longer than the holdout), " + result.bucket().label() + " buckets, season "
                    + result.bucket().season() + "; holdout " + c.holdout() + ", horizon " + c.horizon()
                    + ", origins " + c.origins() + " every " + c.step() + " buckets. The holdout is never"
                    + " trained on; MASE and RMSSE scales come from the training part (lag "
                    + result.bucket().season() + ").</p>\n");
            out.write("<h2>Metrics per method</h2>\n<table><tr><th>method</th><th>series</th><th>zero scale</th>"
                    + "<th>MASE mean</th><th>MASE median</th><th>RMSSE mean</th><th>WAPE</th><th>bias</th>"
                    + "<th>pinball</th><th>scaled pinball</th><th>P10-P90 coverage</th><th>seconds</th></tr>\n");
            for (String m : methods) {
                MethodSummary s = result.summaries().get(m);
                out.write("<tr><td>" + html(m) + "</td><td>" + s.series() + "</td><td>" + s.zeroScaleSeries()
                        + "</td>" + cell(s.maseMean()) + cell(s.maseMedian()) + cell(s.rmsseMean())
                        + cell(s.wape()) + cell(s.bias()) + cell(s.pinball()) + cell(s.scaledPinball())
                        + cell(s.coverage()) + cell(result.seconds().getOrDefault(m, Double.NaN)) + "</tr>\n");
            }
            out.write("</table>\n<p><img src=\"metrics.png\" alt=\"metrics per method\"></p>\n");
            out.write("<h2>Error by horizon step</h2>\n<p><img src=\"error_by_step.png\" alt=\"MASE by step\"></p>\n");
            out.write("<h2>Largest series: " + html(result.series().get(largest).series()) + "</h2>\n"
                    + "<p><img src=\"series_largest.png\" alt=\"largest series\"></p>\n");
            if (worst >= 0) {
                out.write("<h2>Worst series for " + html(primary) + ": "
                        + html(result.series().get(worst).series()) + String.format(Locale.ROOT,
                        " (MASE %.3f)", primaryErrors.get(worst).mase()) + "</h2>\n"
                        + "<p><img src=\"series_worst.png\" alt=\"worst series\"></p>\n");
            }
            out.write("<p>Files: forecasts.csv, series_metrics.csv, metrics.json.</p>\n</body></html>\n");
        }
    }

    /** The LSTM when it ran, else the method with the lowest mean MASE: the one the series plots show banded. */
    private static String primaryMethod(BacktestResult result) {
        if (result.summaries().containsKey("lstm")) {
            return "lstm";
        }
        String best = result.methods().get(0);
        for (MethodSummary s : result.summaries().values()) {
            if (s.maseMean() < result.summaries().get(best).maseMean()) {
                best = s.method();
            }
        }
        return best;
    }

    private static int largestSeries(BacktestResult result) {
        int best = 0;
        double bestSum = -1;
        for (int i = 0; i < result.series().size(); i++) {
            SeriesHistory h = result.series().get(i);
            double sum = 0;
            for (int t = 0; t < h.length() - result.config().holdout(); t++) {
                sum += h.units()[t];
            }
            if (sum > bestSum) {
                bestSum = sum;
                best = i;
            }
        }
        return best;
    }

    private static int worstSeries(List<SeriesErrors> errors) {
        int worst = -1;
        for (int i = 0; i < errors.size(); i++) {
            if (errors.get(i).hasScale() && (worst < 0 || errors.get(i).mase() > errors.get(worst).mase())) {
                worst = i;
            }
        }
        return worst;
    }

    private static XYChart seriesChart(BacktestResult result, int index, String primary, String title) {
        SeriesHistory h = result.series().get(index);
        BacktestConfig c = result.config();
        int cutoff = h.length() - c.holdout();
        int from = Math.max(0, cutoff - Math.max(2 * c.holdout(), 2 * h.bucket().season()));
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title + ": " + h.series() + " (" + h.bucket().label() + ")")
                .xAxisTitle("bucket").yAxisTitle("units").build();
        style(chart);
        chart.getStyler().setDatePattern(datePattern(h.bucket()));
        List<String> methods = result.methods();
        // The band first, so that the lines are drawn over it.
        for (int k = 0; k < c.origins(); k++) {
            List<ForecastRow> rows = rowsOf(result, h.series(), k + 1, primary);
            List<Date> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (ForecastRow r : rows) {
                x.add(date(r.bucketStart()));
                y.add(r.p90());
            }
            for (int i = rows.size() - 1; i >= 0; i--) {
                x.add(date(rows.get(i).bucketStart()));
                y.add(rows.get(i).p10());
            }
            XYSeries band = chart.addSeries(primary + " P10-P90" + (k == 0 ? "" : " #" + (k + 1)), x, y);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            Color base = PALETTE[methods.indexOf(primary) % PALETTE.length];
            band.setFillColor(new Color(base.getRed(), base.getGreen(), base.getBlue(), 60));
            band.setLineColor(new Color(0, 0, 0, 0));
            band.setMarker(SeriesMarkers.NONE);
            band.setShowInLegend(k == 0);
        }
        List<Date> ax = new ArrayList<>();
        List<Double> ay = new ArrayList<>();
        for (int t = from; t < h.length(); t++) {
            ax.add(date(h.bucketStart(t)));
            ay.add(h.units()[t]);
        }
        XYSeries actual = chart.addSeries("actual", ax, ay);
        actual.setLineColor(Color.BLACK);
        actual.setMarker(SeriesMarkers.NONE);
        actual.setLineWidth(1.5f);
        actual.setLineStyle(SeriesLines.SOLID);
        for (String m : methods) {
            Color color = PALETTE[methods.indexOf(m) % PALETTE.length];
            for (int k = 0; k < c.origins(); k++) {
                List<ForecastRow> rows = rowsOf(result, h.series(), k + 1, m);
                List<Date> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (ForecastRow r : rows) {
                    x.add(date(r.bucketStart()));
                    y.add(r.p50());
                }
                XYSeries s = chart.addSeries(m + " P50" + (k == 0 ? "" : " #" + (k + 1)), x, y);
                s.setLineColor(color);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineWidth(m.equals(primary) ? 2.5f : 1.2f);
                s.setLineStyle(m.equals(primary) ? new BasicStroke(2.5f) : new BasicStroke(1.2f,
                        BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                s.setShowInLegend(k == 0);
            }
        }
        return chart;
    }

    private static List<ForecastRow> rowsOf(BacktestResult result, String series, int origin, String method) {
        List<ForecastRow> out = new ArrayList<>();
        for (ForecastRow r : result.rows()) {
            if (r.origin() == origin && r.method().equals(method) && r.series().equals(series)) {
                out.add(r);
            }
        }
        return out;
    }

    private static XYChart errorByStepChart(BacktestResult result) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Error by horizon step: mean over series of MASE at that step")
                .xAxisTitle("step (" + result.bucket().label() + "s ahead)").yAxisTitle("MASE").build();
        style(chart);
        List<String> methods = result.methods();
        for (String m : methods) {
            double[] byStep = result.summaries().get(m).maseByStep();
            List<Integer> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int h = 0; h < byStep.length; h++) {
                if (Double.isFinite(byStep[h])) {
                    x.add(h + 1);
                    y.add(byStep[h]);
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(m, x, y);
            s.setLineColor(PALETTE[methods.indexOf(m) % PALETTE.length]);
            s.setMarkerColor(PALETTE[methods.indexOf(m) % PALETTE.length]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(SeriesLines.SOLID);
        }
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    private static CategoryChart metricsChart(BacktestResult result) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("Metrics per method")
                .xAxisTitle("metric").yAxisTitle("value").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFont(chart.getStyler().getLabelsFont().deriveFont(10f));
        chart.getStyler().setDecimalPattern("0.000");
        List<String> names = List.of("MASE mean", "MASE median", "RMSSE mean", "WAPE", "P10-P90 coverage");
        List<String> methods = result.methods();
        for (String m : methods) {
            MethodSummary s = result.summaries().get(m);
            List<Double> values = new ArrayList<>();
            for (double v : new double[] {s.maseMean(), s.maseMedian(), s.rmsseMean(), s.wape(), s.coverage()}) {
                values.add(Double.isFinite(v) ? v : 0.0);
            }
            chart.addSeries(m, names, values).setFillColor(PALETTE[methods.indexOf(m) % PALETTE.length]);
        }
        return chart;
    }

    private static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setLegendBackgroundColor(new Color(255, 255, 255, 200));
    }

    private static String datePattern(Bucket bucket) {
        return switch (bucket) {
            case HOUR -> "yyyy-MM-dd HH:mm";
            case DAY, WEEK -> "yyyy-MM-dd";
            case MONTH -> "yyyy-MM";
        };
    }

    private static Date date(Instant t) {
        return Date.from(t);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String cell(double v) {
        return "<td>" + (Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "&ndash;") + "</td>";
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
