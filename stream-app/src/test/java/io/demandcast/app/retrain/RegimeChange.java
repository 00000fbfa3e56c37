package io.demandcast.app.retrain;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.schemas.avro.SalesBucket;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic daily sales as the stream publishes them on {@code sales-actuals}: per series a level and Poisson
 * noise around a weekly profile; from {@link #CHANGE_DAY} on, the level rises and the weekly profile is another
 * one (a regime change). Seeded per series and day, so any slice of days is the same whenever it is made.
 */
public final class RegimeChange {

    public static final Instant DAY0 = Instant.parse("2024-01-01T00:00:00Z");
    public static final int CHANGE_DAY = 70;
    public static final int HORIZON = 7;
    private static final double[] BEFORE = {1.0, 0.9, 0.9, 1.0, 1.4, 1.7, 0.3};
    private static final double[] AFTER = {0.3, 1.8, 0.4, 1.6, 0.5, 1.2, 1.9};

    private final int series;
    private final long seed;

    public RegimeChange(int series, long seed) {
        this.series = series;
        this.seed = seed;
    }

    public static String name(int s) {
        return "sku-" + s;
    }

    double level(int s) {
        return 4 + new Random(seed * 31 + s).nextDouble() * 30;
    }

    /** Expected units of series {@code s} on day {@code d}. */
    double mean(int s, int d) {
        return d < CHANGE_DAY ? level(s) * BEFORE[d % 7] : 1.6 * level(s) * AFTER[d % 7];
    }

    double units(int s, int d) {
        Random r = new Random(seed * 1_000_003L + s * 7_919L + d);
        return poisson(r, mean(s, d));
    }

    /** Every series' closed buckets of days {@code from} (inclusive) to {@code to} (exclusive), day by day. */
    public List<SalesBucket> buckets(int from, int to) {
        List<SalesBucket> out = new ArrayList<>();
        for (int d = from; d < to; d++) {
            Instant start = Bucket.DAY.plus(DAY0, d);
            for (int s = 0; s < series; s++) {
                double u = units(s, d);
                double price = 2.0 + s % 5;
                out.add(SalesBucket.newBuilder().setSeries(name(s)).setBucketStart(start)
                        .setBucketEnd(Bucket.DAY.plus(start, 1)).setUnits(u).setRevenue(u * price)
                        .setOrderCount((int) u).setMeanPrice(u > 0 ? price : null).setZeroFilled(u == 0).build());
            }
        }
        return out;
    }

    /** The histories the stream would forecast from after day {@code to} closes (days 0 to {@code to}). */
    public List<SeriesHistory> histories(int to) {
        TrainingWindow window = new TrainingWindow(Bucket.DAY, 10_000, 10_000);
        buckets(0, to).forEach(window::add);
        return window.snapshot(Bucket.DAY.plus(DAY0, to));
    }

    /** Actual units of every series on days {@code from} to {@code from + n}. */
    public double[][] actuals(int from, int n) {
        double[][] out = new double[series][n];
        for (int s = 0; s < series; s++) {
            for (int i = 0; i < n; i++) {
                out[s][i] = units(s, from + i);
            }
        }
        return out;
    }

    /** A tiny network (L 14, H 7, 8 units) so that training takes seconds. */
    public static LstmConfig tinyConfig(int epochs) {
        return LstmConfig.defaults(Bucket.DAY).withShape(14, HORIZON, 1, 8, 8)
                .withTraining(epochs, 64, 0.01, 3, 7L, 0).withServing(256, 1);
    }

    /** Trains a tiny model on {@code histories} and exports it to {@code dir}. */
    public static String trainAndExport(List<SeriesHistory> histories, int epochs, Path dir) throws IOException {
        try (LstmModel model = new LstmTrainer(tinyConfig(epochs)).train(histories, null)) {
            model.export(dir);
            return model.version();
        }
    }

    /** Fine-tunes a copy of the model in {@code from} for one epoch and exports it to {@code to}. */
    public static String fineTuneAndExport(Path from, List<SeriesHistory> histories, Path to) throws IOException {
        try (LstmModel model = LstmModel.load(from, 256, 1)) {
            model.fineTune(histories, 1);
            model.export(to);
            return model.version();
        }
    }

    private static double poisson(Random random, double mean) {
        double limit = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > limit);
        return k - 1;
    }
}
