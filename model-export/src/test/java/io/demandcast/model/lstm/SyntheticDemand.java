package io.demandcast.model.lstm;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Daily demand with a weekly profile (busy Fridays and Saturdays, quiet Sundays), a per-product level and Poisson
 * noise; seeded, so a test and its child JVM build the same series.
 */
final class SyntheticDemand {

    static final Instant MONDAY = Instant.parse("2024-01-01T00:00:00Z");
    private static final double[] WEEK = {1.0, 0.9, 0.9, 1.0, 1.4, 1.7, 0.3};

    private SyntheticDemand() {
    }

    static List<SeriesHistory> weekly(int series, int days, long seed) {
        Random random = new Random(seed);
        List<SeriesHistory> out = new ArrayList<>();
        for (int s = 0; s < series; s++) {
            double level = 3 + random.nextDouble() * 40;
            int offset = random.nextInt(7);
            Instant start = Bucket.DAY.plus(MONDAY, offset);
            double[] units = new double[days];
            double[] price = new double[days + 7];
            for (int t = 0; t < days; t++) {
                units[t] = poisson(random, level * WEEK[(offset + t) % 7]);
            }
            for (int t = 0; t < price.length; t++) {
                price[t] = 2.0 + s % 5;
            }
            out.add(new SeriesHistory("sku-" + s, Bucket.DAY, start, units, Map.of("price", price)));
        }
        return out;
    }

    private static double poisson(Random random, double mean) {
        // Knuth's method is fine for the small means used here.
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
