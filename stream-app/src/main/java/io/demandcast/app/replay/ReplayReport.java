package io.demandcast.app.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.demandcast.app.retrain.Decision;
import io.demandcast.app.retrain.RetrainCycle;
import io.demandcast.model.Bucket;
import io.demandcast.model.backtest.BacktestReport;
import io.demandcast.model.metrics.MethodSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.BufferedWriter;
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
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A replay's outputs in the {@code backtest} contract, so that the same tools read both: {@code forecasts.csv}
 * (the backtest's columns plus {@code model_version}), {@code metrics.json} (the backtest's per-method figures, per
 * version, with the seasonal naive of the same origins), {@code report.html} with the error by horizon step and a
 * few series, and one verdict line per candidate against the champion.
 */
final class ReplayReport {

    static final String FORECAST_HEADER = BacktestReport.FORECAST_HEADER + ",model_version";
    private static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(44, 160, 44), new Color(214, 39, 40), new Color(148, 103, 189),
        new Color(140, 86, 75), new Color(227, 119, 194)};
    private static final Color BASELINE_COLOR = new Color(255, 127, 14);

    /** One version's replay and its figures. */
    record Entry(TopicReplay.Result result, ReplayScore.Scored scored) {
    }

    /** What the whole command replayed. */
    record Summary(Bucket bucket, Instant start, Instant from, Instant to, int warmup, int horizon, String topic,
                   long orders, String champion, double margin, int seriesLimit, List<Entry> entries) {
    }

    private ReplayReport() {
    }

    /** The forecasts.csv writer: scored points as they are scored, version after version. */
    static final class ForecastsCsv implements ReplayScore.Rows, AutoCloseable {
        private final BufferedWriter out;
        private final Bucket bucket;
        private final StringBuilder line = new StringBuilder(128);

        ForecastsCsv(Path file, Bucket bucket) throws IOException {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            this.bucket = bucket;
            out.write(FORECAST_HEADER);
            out.write('\n');
        }

        @Override
        public void row(String series, Instant target, int step, String method, double actual, double p10,
                        double p50, double p90, String version) {
            line.setLength(0);
            line.append(csv(series)).append(',').append(BacktestReport.bucketText(bucket, target)).append(',')
                    .append(step).append(',').append(csv(method)).append(',').append(number(actual)).append(',')
                    .append(number(p10)).append(',').append(number(p50)).append(',').append(number(p90))
                    .append(',').append(csv(version == null ? "" : version)).append('\n');
            try {
                out.write(line.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** The console's table: one row per version and method. */
    static String table(Summary s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "  %-34s %-24s %6s %5s %9s %9s %7s %7s %8s%n", "model version",
                "method", "series", "zero", "MASE", "MASE med", "WAPE", "bias", "P10-P90"));
        for (Entry e : s.entries()) {
            for (MethodSummary m : e.scored().summaries().values()) {
                out.append(String.format(Locale.ROOT, "  %-34s %-24s %6d %5d %9.3f %9.3f %7.3f %7.3f %8.3f%n",
                        label(e), m.method(), m.series(), m.zeroScaleSeries(), m.maseMean(), m.maseMedian(),
                        m.wape(), m.bias(), m.coverage()));
            }
        }
        return out.toString();
    }

    /** One line per candidate against the champion (and, for every version, against the seasonal naive). */
    static List<String> verdicts(Summary s) {
        List<String> lines = new ArrayList<>();
        Entry champion = s.entries().stream().filter(e -> label(e).equals(s.champion())).findFirst()
                .orElse(s.entries().get(0));
        for (Entry e : s.entries()) {
            MethodSummary mine = e.scored().summaries().get(e.scored().served());
            MethodSummary naive = e.scored().summaries().get(ReplayScore.BASELINE);
            if (e.result().candidate().retrain()) {
                lines.add(retrained(s, e, mine));
                continue;
            }
            if (e == champion) {
                String role = label(e).equals(s.champion()) ? "champion" : s.champion() == null ? "reference"
                        : "the reference: the champion " + s.champion() + " was not replayed";
                lines.add(String.format(Locale.ROOT, "%s (" + role + "): MASE %.3f against the seasonal naive's %.3f "
                                + "(%s), WAPE %.3f against %.3f, P10-P90 coverage %.3f", label(e), mine.maseMean(),
                        naive.maseMean(), mine.maseMean() < naive.maseMean() ? "beats it" : "does not beat it",
                        mine.wape(), naive.wape(), mine.coverage()));
                continue;
            }
            MethodSummary champ = champion.scored().summaries().get(champion.scored().served());
            boolean finite = e.result().outputs().methods().keySet().stream().noneMatch(m -> m.contains(":"));
            boolean better = Double.isFinite(mine.maseMean()) && Double.isFinite(champ.maseMean())
                    && mine.maseMean() < champ.maseMean() * (1 - s.margin());
            String against = label(champion).equals(s.champion()) ? "champion" : "the reference";
            lines.add(String.format(Locale.ROOT, "%s vs " + against + " %s: MASE %.3f vs %.3f (%+.1f%%), WAPE %.3f vs %.3f, "
                            + "P10-P90 coverage %.3f vs %.3f; the promotion gate (MASE below the champion's by %.0f%%, "
                            + "every output finite) would %s", label(e), label(champion), mine.maseMean(),
                    champ.maseMean(), 100 * (mine.maseMean() / champ.maseMean() - 1), mine.wape(), champ.wape(),
                    mine.coverage(), champ.coverage(), 100 * s.margin(),
                    better && finite ? "pass" : "not pass" + (finite ? "" : " (fallback forecasts: "
                            + e.result().outputs().methods() + ")")));
        }
        return lines;
    }

    /** A replay with retraining against the same version's replay without, over the same period. */
    private static String retrained(Summary s, Entry e, MethodSummary mine) {
        String base = e.result().candidate().startedFrom();
        List<TopicReplay.Decided> decided = e.result().decisions();
        long promoted = decided.stream().filter(d -> d.outcome().decision() == Decision.PROMOTED).count();
        String decisions = String.format(Locale.ROOT, "%d retraining decision%s (%d promoted, %d rejected)%s",
                decided.size(), decided.size() == 1 ? "" : "s", promoted, decided.size() - promoted,
                decided.isEmpty() ? "" : ", serving " + e.result().decisions().stream()
                        .map(d -> d.outcome().published()).filter(Objects::nonNull)
                        .reduce((a, b) -> b).map(r -> r.getVersion()).orElse(base) + " at the end");
        Entry without = s.entries().stream().filter(o -> !o.result().candidate().retrain()
                && label(o).equals(base)).findFirst().orElse(null);
        if (without == null) {
            return String.format(Locale.ROOT, "%s: served MASE %.3f with retraining; %s", label(e), mine.maseMean(),
                    decisions);
        }
        MethodSummary plain = without.scored().summaries().get(without.scored().served());
        return String.format(Locale.ROOT, "%s: served MASE %.3f with retraining vs %.3f without (%+.1f%%), WAPE %.3f "
                        + "vs %.3f, P10-P90 coverage %.3f vs %.3f over the same buckets; %s", label(e),
                mine.maseMean(), plain.maseMean(), 100 * (mine.maseMean() / plain.maseMean() - 1), mine.wape(),
                plain.wape(), mine.coverage(), plain.coverage(), decisions);
    }

    static String label(Entry e) {
        TopicReplay.Candidate c = e.result().candidate();
        return c.version() != null ? c.version() : e.result().servedVersion() != null ? e.result().servedVersion()
                : "seasonal_naive";
    }

    static void writeMetrics(Summary s, Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("kind", "replay");
        root.put("topic", s.topic());
        root.put("bucket", s.bucket().label());
        root.put("season", s.bucket().season());
        root.put("from", BacktestReport.bucketText(s.bucket(), s.from()));
        root.put("to", BacktestReport.bucketText(s.bucket(), s.to()));
        root.put("warmup", s.warmup());
        root.put("replayed_from", BacktestReport.bucketText(s.bucket(), s.start()));
        root.put("horizon", s.horizon());
        root.put("orders", s.orders());
        // 0: every series the replay forecast was scored; N: the N that sold the most in the warm-up.
        root.put("series_limit", s.seriesLimit());
        root.put("champion", s.champion());
        // The backtest's top-level methods: the first version's (the champion's when it was replayed).
        methods(root.putObject("methods"), s.entries().get(0));
        ObjectNode versions = root.putObject("versions");
        for (Entry e : s.entries()) {
            ObjectNode v = versions.putObject(label(e));
            TopicReplay.Result r = e.result();
            v.put("application_id", r.replayId());
            v.put("served_version", r.servedVersion());
            v.put("seconds", r.seconds());
            v.put("orders_copied", r.ordersCopied());
            v.put("complete", r.complete());
            v.put("last_closed", r.lastClosed() == null ? null : BacktestReport.bucketText(s.bucket(),
                    r.lastClosed()));
            v.put("actuals", r.outputs().actualCount());
            v.put("forecasts", r.outputs().forecastCount());
            v.put("duplicates", r.outputs().duplicates());
            v.put("points", e.scored().points());
            ObjectNode streamed = v.putObject("streamed_methods");
            r.outputs().methods().forEach(streamed::put);
            ObjectNode letters = v.putObject("dead_letters");
            r.outputs().deadLetters().forEach(letters::put);
            methods(v.putObject("methods"), e);
            if (r.candidate().retrain()) {
                v.put("started_from", r.candidate().startedFrom());
                ArrayNode decisions = v.putArray("retraining");
                for (TopicReplay.Decided d : r.decisions()) {
                    RetrainCycle.Outcome o = d.outcome();
                    ObjectNode n = decisions.addObject();
                    n.put("bucket", d.bucket() == null ? null : BacktestReport.bucketText(s.bucket(), d.bucket()));
                    n.put("kind", o.kind());
                    n.put("decision", o.decision().label());
                    n.put("candidate", o.candidateVersion());
                    number(n, "candidate_mase", o.candidate().mase());
                    n.put("champion", o.championVersion());
                    number(n, "champion_mase", o.champion().mase());
                    number(n, "seasonal_naive_mase", o.seasonalNaive().mase());
                    n.put("eval_series", o.candidate().series());
                    n.put("seconds", o.seconds());
                    n.put("published", o.published() == null ? null : o.published().getVersion());
                }
            }
        }
        ArrayNode verdicts = root.putArray("verdicts");
        verdicts(s).forEach(verdicts::add);
        mapper.writeValue(file.toFile(), root);
    }

    private static void number(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }

    private static void methods(ObjectNode methods, Entry e) {
        for (MethodSummary s : e.scored().summaries().values()) {
            ObjectNode m = methods.putObject(s.method());
            m.put("series", s.series());
            m.put("zero_scale_series", s.zeroScaleSeries());
            put(m, "mase_mean", s.maseMean());
            put(m, "mase_median", s.maseMedian());
            put(m, "rmsse_mean", s.rmsseMean());
            put(m, "wape", s.wape());
            put(m, "bias", s.bias());
            put(m, "pinball_mean", s.pinball());
            put(m, "scaled_pinball_mean", s.scaledPinball());
            put(m, "coverage_p10_p90", s.coverage());
            ArrayNode steps = m.putArray("mase_by_step");
            for (double v : s.maseByStep()) {
                if (Double.isFinite(v)) {
                    steps.add(v);
                } else {
                    steps.addNull();
                }
            }
        }
    }

    static void writeHtml(Summary s, List<String> plotted, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        save(errorByStep(s), dir.resolve("error_by_step.png"));
        for (int i = 0; i < plotted.size(); i++) {
            save(seriesChart(s, plotted.get(i)), dir.resolve("series_" + (i + 1) + ".png"));
        }
        try (Writer out = Files.newBufferedWriter(dir.resolve("report.html"), StandardCharsets.UTF_8)) {
            out.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Demandcast replay</title>\n"
                    + "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:"
                    + "collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                    + "td:first-child,th:first-child,td:nth-child(2),th:nth-child(2){text-align:left}</style>"
                    + "</head><body>\n");
            out.write("<h1>Replay of " + html(s.topic()) + ", " + day(s, s.from()) + " .. " + day(s, s.to())
                    + "</h1>\n<p>" + String.format(Locale.ROOT, "%,d", s.orders()) + " orders stamped from "
                    + day(s, s.start()) + " (" + s.warmup() + " " + s.bucket().label() + "s of warm-up before "
                    + "--from) replayed through the production topology, once per model version, each under an "
                    + "application id and topics of its own. Scored: every forecast made after a bucket from "
                    + day(s, s.bucket().plus(s.from(), -1)) + " on, at each of its " + s.horizon()
                    + " steps whose target lies in the period, against the actual the replay published; beside it "
                    + "the seasonal naive on the same origins, from the history the app held. MASE scales come "
                    + "from each series' warm-up.</p>\n");
            out.write("<h2>Verdicts</h2>\n<ul>\n");
            for (String v : verdicts(s)) {
                out.write("<li>" + html(v) + "</li>\n");
            }
            out.write("</ul>\n<h2>Metrics per version and method</h2>\n<table><tr><th>model version</th>"
                    + "<th>method</th><th>series</th><th>zero scale</th><th>MASE mean</th><th>MASE median</th>"
                    + "<th>RMSSE mean</th><th>WAPE</th><th>bias</th><th>pinball</th><th>P10-P90 coverage</th>"
                    + "<th>replay seconds</th></tr>\n");
            for (Entry e : s.entries()) {
                for (MethodSummary m : e.scored().summaries().values()) {
                    out.write("<tr><td>" + html(label(e)) + "</td><td>" + html(m.method()) + "</td><td>"
                            + m.series() + "</td><td>" + m.zeroScaleSeries() + "</td>" + cell(m.maseMean())
                            + cell(m.maseMedian()) + cell(m.rmsseMean()) + cell(m.wape()) + cell(m.bias())
                            + cell(m.pinball()) + cell(m.coverage()) + cell(e.result().seconds()) + "</tr>\n");
                }
            }
            for (Entry e : s.entries()) {
                if (e.result().candidate().retrain()) {
                    retrainingTable(out, s, e);
                }
            }
            out.write("</table>\n<h2>Error by horizon step</h2>\n<p><img src=\"error_by_step.png\" "
                    + "alt=\"MASE by step\"></p>\n");
            for (int i = 0; i < plotted.size(); i++) {
                out.write("<h2>" + html(plotted.get(i)) + "</h2>\n<p><img src=\"series_" + (i + 1)
                        + ".png\" alt=\"" + html(plotted.get(i)) + "\"></p>\n");
            }
            out.write("<p>Files: forecasts.csv, metrics.json.</p>\n</body></html>\n");
        }
    }

    /** The decisions of a replay with retraining: each cycle's candidate and champion on its held-out buckets. */
    private static void retrainingTable(Writer out, Summary s, Entry e) throws IOException {
        out.write("</table>\n<h2>Retraining decisions of " + html(label(e)) + "</h2>\n<p>The trainer role ran "
                + "inside the replay on production's schedule and gate (MASE below the champion's by "
                + String.format(Locale.ROOT, "%.0f%%", 100 * s.margin()) + ", every output finite), each cycle "
                + "scoring on the latest buckets it had seen, which neither model was trained on.</p>\n<table><tr>"
                + "<th>latest bucket</th><th>kind</th><th>candidate</th><th>candidate MASE</th><th>champion</th>"
                + "<th>champion MASE</th><th>seasonal naive MASE</th><th>decision</th></tr>\n");
        for (TopicReplay.Decided d : e.result().decisions()) {
            RetrainCycle.Outcome o = d.outcome();
            out.write("<tr><td>" + (d.bucket() == null ? "" : day(s, d.bucket())) + "</td><td>" + html(o.kind())
                    + "</td><td>" + html(o.candidateVersion()) + "</td>" + cell(o.candidate().mase()) + "<td>"
                    + html(o.championVersion()) + "</td>" + cell(o.champion().mase())
                    + cell(o.seasonalNaive().mase()) + "<td>" + html(o.decision().label()) + "</td></tr>\n");
        }
    }

    private static XYChart errorByStep(Summary s) {
        XYChart chart = new XYChartBuilder().width(1000).height(420)
                .title("Error by horizon step: mean over series of MASE at that step")
                .xAxisTitle("step (" + s.bucket().label() + "s ahead)").yAxisTitle("MASE").build();
        style(chart);
        int i = 0;
        for (Entry e : s.entries()) {
            addSteps(chart, label(e) + " (" + e.scored().served() + ")",
                    e.scored().summaries().get(e.scored().served()).maseByStep(), PALETTE[i++ % PALETTE.length],
                    SeriesLines.SOLID);
        }
        addSteps(chart, ReplayScore.BASELINE, s.entries().get(0).scored().summaries().get(ReplayScore.BASELINE)
                .maseByStep(), BASELINE_COLOR, SeriesLines.DASH_DASH);
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    private static void addSteps(XYChart chart, String name, double[] byStep, Color color, BasicStroke line) {
        List<Integer> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int h = 0; h < byStep.length; h++) {
            if (Double.isFinite(byStep[h])) {
                x.add(h + 1);
                y.add(byStep[h]);
            }
        }
        if (x.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineStyle(line);
    }

    /** The series' demand, each version's next-bucket P50 (the first's inside its P10-P90), the seasonal naive's. */
    private static XYChart seriesChart(Summary s, String name) {
        XYChart chart = new XYChartBuilder().width(1000).height(420)
                .title(name + ": demand and next-" + s.bucket().label() + " forecasts").xAxisTitle(s.bucket().label())
                .yAxisTitle("units").build();
        style(chart);
        chart.getStyler().setDatePattern("yyyy-MM-dd");
        ReplayScore.Plot first = s.entries().get(0).scored().plots().get(name);
        if (first == null) {
            return chart;
        }
        int fromIdx = Math.toIntExact(s.bucket().between(first.start(), s.from()));
        List<Date> bx = new ArrayList<>();
        List<Double> by = new ArrayList<>();
        List<Integer> banded = new ArrayList<>();
        for (int t = fromIdx; t < first.served().length; t++) {
            if (first.served()[t] != null) {
                banded.add(t);
            }
        }
        for (int t : banded) {
            bx.add(Date.from(s.bucket().plus(first.start(), t)));
            by.add(first.served()[t][2]);
        }
        for (int i = banded.size() - 1; i >= 0; i--) {
            bx.add(Date.from(s.bucket().plus(first.start(), banded.get(i))));
            by.add(first.served()[banded.get(i)][0]);
        }
        if (!bx.isEmpty()) {
            XYSeries band = chart.addSeries(label(s.entries().get(0)) + " P10-P90", bx, by);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(new Color(31, 119, 180, 50));
            band.setLineColor(new Color(0, 0, 0, 0));
            band.setMarker(SeriesMarkers.NONE);
        }
        List<Date> ax = new ArrayList<>();
        List<Double> ay = new ArrayList<>();
        for (int t = 0; t < first.demand().length; t++) {
            ax.add(Date.from(s.bucket().plus(first.start(), t)));
            ay.add(first.demand()[t]);
        }
        XYSeries actual = chart.addSeries("actual", ax, ay);
        actual.setLineColor(Color.BLACK);
        actual.setMarker(SeriesMarkers.NONE);
        int i = 0;
        for (Entry e : s.entries()) {
            ReplayScore.Plot p = e.scored().plots().get(name);
            Color c = PALETTE[i++ % PALETTE.length];
            if (p != null) {
                line(chart, label(e) + " P50", p.start(), s, fromIdx, t -> p.served()[t] == null ? Double.NaN
                        : p.served()[t][1], p.served().length, c, SeriesLines.SOLID);
            }
        }
        line(chart, ReplayScore.BASELINE + " P50", first.start(), s, fromIdx, t -> first.baseline()[t],
                first.baseline().length, BASELINE_COLOR, SeriesLines.DASH_DASH);
        return chart;
    }

    private static void line(XYChart chart, String name, Instant start, Summary s, int from,
                             java.util.function.IntToDoubleFunction value, int n, Color color, BasicStroke stroke) {
        List<Date> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int t = from; t < n; t++) {
            double v = value.applyAsDouble(t);
            if (Double.isFinite(v)) {
                x.add(Date.from(s.bucket().plus(start, t)));
                y.add(v);
            }
        }
        if (x.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setLineColor(color);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineStyle(stroke);
    }

    private static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setLegendBackgroundColor(new Color(255, 255, 255, 200));
    }

    private static void save(XYChart chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String day(Summary s, Instant t) {
        return BacktestReport.bucketText(s.bucket(), t);
    }

    private static void put(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }

    private static String cell(double v) {
        return "<td>" + (Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "&ndash;") + "</td>";
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String number(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Float.toString((float) v);
    }

    private static String csv(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
