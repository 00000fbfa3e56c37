package io.demandcast.model.data;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Reads a long-format sales file (CSV, or gzipped CSV recognised by its magic bytes) into gap-free histories: rows
 * are aggregated into buckets (units summed, covariates averaged); a bucket without rows between a series' first
 * and last row is zero sales with its covariates carried forward. Series come out in order of first appearance.
 */
public final class SalesCsvReader {

    private final SalesCsvSpec spec;

    public SalesCsvReader(SalesCsvSpec spec) {
        this.spec = spec;
    }

    public List<SeriesHistory> read(Path file) throws IOException {
        try (InputStream in = open(file);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            return read(reader, file.toString());
        }
    }

    /** Reads from {@code reader}; {@code source} names it in error messages. */
    public List<SeriesHistory> read(BufferedReader reader, String source) throws IOException {
        CsvParser csv = new CsvParser(reader, source);
        List<String> header = csv.next();
        if (header == null) {
            throw new SalesDataException(source + ": the file is empty; expected a header row");
        }
        if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
            header.set(0, header.get(0).substring(1));
        }
        int seriesAt = column(header, spec.seriesColumn(), "series", source);
        int timeAt = column(header, spec.timeColumn(), "time", source);
        int valueAt = column(header, spec.valueColumn(), "value", source);
        List<String> covariates = spec.covariateColumns();
        int[] covariateAt = new int[covariates.size()];
        for (int c = 0; c < covariateAt.length; c++) {
            covariateAt[c] = column(header, covariates.get(c), "covariate", source);
        }
        Bucket bucket = spec.bucket();
        Map<String, TreeMap<Instant, Cell>> bySeries = new LinkedHashMap<>();
        Map<String, String> interned = new HashMap<>();
        List<String> row;
        while ((row = csv.next()) != null) {
            int line = csv.recordLine();
            if (row.size() == 1 && row.get(0).isBlank()) {
                continue;
            }
            if (row.size() != header.size()) {
                throw new SalesDataException(source + ":" + line + ": expected " + header.size() + " fields as in"
                        + " the header, got " + row.size());
            }
            String series = row.get(seriesAt).trim();
            if (series.isEmpty()) {
                throw bad(source, line, spec.seriesColumn(), row.get(seriesAt), "a series name");
            }
            series = interned.computeIfAbsent(series, s -> s);
            Instant time = TimeText.parse(row.get(timeAt));
            if (time == null) {
                throw bad(source, line, spec.timeColumn(), row.get(timeAt), "a time (" + TimeText.FORMATS + ")");
            }
            double value = number(row.get(valueAt));
            if (Double.isNaN(value)) {
                throw bad(source, line, spec.valueColumn(), row.get(valueAt), "a finite number");
            }
            Cell cell = bySeries.computeIfAbsent(series, s -> new TreeMap<>())
                    .computeIfAbsent(bucket.floor(time), t -> new Cell(covariateAt.length));
            cell.units += value;
            for (int c = 0; c < covariateAt.length; c++) {
                String text = row.get(covariateAt[c]);
                if (text.isBlank()) {
                    continue;
                }
                double v = number(text);
                if (Double.isNaN(v)) {
                    throw bad(source, line, covariates.get(c), text, "a finite number or an empty cell");
                }
                cell.covariateSum[c] += v;
                cell.covariateCount[c]++;
            }
        }
        List<SeriesHistory> out = new ArrayList<>(bySeries.size());
        bySeries.forEach((series, cells) -> out.add(history(series, cells, covariates)));
        return out;
    }

    /**
     * Fails when no series has {@code needed} buckets, naming the file and what needs them (for example "holdout 28
     * + 1 training bucket").
     */
    public static void requireBuckets(List<SeriesHistory> histories, int needed, String why, String source) {
        int longest = histories.stream().mapToInt(SeriesHistory::length).max().orElse(0);
        if (longest < needed) {
            String unit = histories.isEmpty() ? "" : " " + histories.get(0).bucket().label();
            throw new SalesDataException(source + ": the longest series has " + longest + unit + " buckets, fewer"
                    + " than the " + needed + " needed (" + why + ")");
        }
    }

    private SeriesHistory history(String series, TreeMap<Instant, Cell> cells, List<String> covariates) {
        Bucket bucket = spec.bucket();
        Instant first = cells.firstKey();
        int n = Math.toIntExact(bucket.between(first, cells.lastKey()) + 1);
        double[] units = new double[n];
        double[][] cov = new double[covariates.size()][n];
        double[] last = new double[covariates.size()];
        java.util.Arrays.fill(last, Double.NaN);
        int i = 0;
        for (Map.Entry<Instant, Cell> e : cells.entrySet()) {
            int at = Math.toIntExact(bucket.between(first, e.getKey()));
            for (; i < at; i++) {
                for (int c = 0; c < cov.length; c++) {
                    cov[c][i] = last[c];
                }
            }
            Cell cell = e.getValue();
            units[at] = cell.units;
            for (int c = 0; c < cov.length; c++) {
                if (cell.covariateCount[c] > 0) {
                    last[c] = cell.covariateSum[c] / cell.covariateCount[c];
                }
                cov[c][at] = last[c];
            }
            i = at + 1;
        }
        Map<String, double[]> covariateMap = new LinkedHashMap<>();
        for (int c = 0; c < cov.length; c++) {
            backFillLeadingGap(cov[c]);
            covariateMap.put(covariates.get(c), cov[c]);
        }
        return new SeriesHistory(series, bucket, first, units, covariateMap);
    }

    /** A covariate empty in a series' first buckets takes its first known value there, so none stays NaN. */
    private static void backFillLeadingGap(double[] values) {
        int firstKnown = 0;
        while (firstKnown < values.length && Double.isNaN(values[firstKnown])) {
            firstKnown++;
        }
        double fill = firstKnown < values.length ? values[firstKnown] : 0.0;
        for (int i = 0; i < firstKnown; i++) {
            values[i] = fill;
        }
    }

    private static double number(String text) {
        try {
            double v = Double.parseDouble(text.trim());
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static SalesDataException bad(String source, int line, String column, String text, String expected) {
        return new SalesDataException(source + ":" + line + ": column '" + column + "': expected " + expected
                + ", got '" + text + "'");
    }

    private static int column(List<String> header, String name, String role, String source) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).trim().equals(name)) {
                return i;
            }
        }
        throw new SalesDataException(source + ": no " + role + " column '" + name + "'; the columns are "
                + String.join(", ", header));
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(raw, 1 << 16);
        }
        return raw;
    }

    private static final class Cell {
        double units;
        final double[] covariateSum;
        final int[] covariateCount;

        Cell(int covariates) {
            covariateSum = new double[covariates];
            covariateCount = new int[covariates];
        }
    }
}
