package io.demandcast.model.backtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.demandcast.model.Bucket;
import io.demandcast.model.metrics.MethodSummary;
import io.demandcast.model.metrics.SeriesErrors;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Writes a backtest's outputs into a directory: {@code forecasts.csv} (columns
 * {@code series,bucket_start,step,method,actual,p10,p50,p90}), {@code series_metrics.csv} (per series and
 * method), {@code metrics.json} (per method) and {@code report.html} with its PNG plots.
 */
public final class BacktestReport {

    public static final String FORECAST_HEADER = "series,bucket_start,step,method,actual,p10,p50,p90";

    private BacktestReport() {
    }

    public static void write(BacktestResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        writeForecasts(result, dir.resolve("forecasts.csv"));
        writeSeriesMetrics(result, dir.resolve("series_metrics.csv"));
        writeJson(result, dir.resolve("metrics.json"));
        ReportCharts.write(result, dir);
    }

    /** A bucket start as written in outputs: an ISO date for day, week and month buckets, an instant for hours. */
    public static String bucketText(Bucket bucket, Instant start) {
        return bucket == Bucket.HOUR ? start.toString() : start.atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    static void writeForecasts(BacktestResult result, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(FORECAST_HEADER);
            out.write('\n');
            StringBuilder line = new StringBuilder(96);
            for (ForecastRow r : result.rows()) {
                line.setLength(0);
                line.append(csvField(r.series())).append(',').append(bucketText(result.bucket(), r.bucketStart()))
                        .append(',').append(r.step()).append(',').append(r.method()).append(',')
                        .append(number(r.actual())).append(',').append(number(r.p10())).append(',')
                        .append(number(r.p50())).append(',').append(number(r.p90())).append('\n');
                out.write(line.toString());
            }
        }
    }

    private static void writeSeriesMetrics(BacktestResult result, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("series,method,mase,rmsse,wape,bias,pinball,coverage_p10_p90,mase_scale\n");
            for (List<SeriesErrors> list : result.perSeries().values()) {
                for (SeriesErrors s : list) {
                    out.write(String.join(",", csvField(s.series()), s.method(), number(s.mase()),
                            number(s.rmsse()), number(s.wape()), number(s.bias()), number(s.pinball()),
                            number(s.coverage()), number(s.maseScale())));
                    out.write('\n');
                }
            }
        }
    }

    private static void writeJson(BacktestResult result, Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        BacktestConfig c = result.config();
        root.put("bucket", result.bucket().label());
        root.put("season", result.bucket().season());
        root.put("holdout", c.holdout());
        root.put("horizon", c.horizon());
        root.put("step", c.step());
        root.put("origins", c.origins());
        root.put("series", result.series().size());
        root.put("skipped_series", result.skippedSeries());
        ObjectNode methods = root.putObject("methods");
        for (MethodSummary s : result.summaries().values()) {
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
            put(m, "seconds", result.seconds().getOrDefault(s.method(), Double.NaN));
            ArrayNode steps = m.putArray("mase_by_step");
            for (double v : s.maseByStep()) {
                if (Double.isFinite(v)) {
                    steps.add(v);
                } else {
                    steps.addNull();
                }
            }
        }
        mapper.writeValue(file.toFile(), root);
    }

    private static void put(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }

    /** The per-method figures as a fixed-width text table, for the console. */
    public static String table(BacktestResult result) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-16s %6s %5s %9s %9s %7s %7s %7s %10s %8s %8s%n", "method",
                "series", "zero", "MASE", "MASE med", "RMSSE", "WAPE", "bias", "pinball", "P10-P90", "seconds"));
        for (MethodSummary s : result.summaries().values()) {
            out.append(String.format(Locale.ROOT, "%-16s %6d %5d %9.3f %9.3f %7.3f %7.3f %7.3f %10.3f %8.3f %8.2f%n",
                    s.method(), s.series(), s.zeroScaleSeries(), s.maseMean(), s.maseMedian(), s.rmsseMean(),
                    s.wape(), s.bias(), s.pinball(), s.coverage(),
                    result.seconds().getOrDefault(s.method(), Double.NaN)));
        }
        return out.toString();
    }

    static String number(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String csvField(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
