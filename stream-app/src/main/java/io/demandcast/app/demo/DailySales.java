package io.demandcast.app.demo;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.OrderValidator;
import io.demandcast.app.ingest.Origin;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.app.replay.OrderLinesFile;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.OrderEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Net units per product and bucket of an order-lines file, aggregated the way the stream aggregates them: the file
 * is read as {@code produce} reads it ({@link OrderLinesFile}), each order passes the stream's {@link OrderValidator}
 * (refused orders count nowhere, as they go to the dead-letter topic), and {@link SeriesSale#explode} turns it into
 * per-product net units (a RETURN subtracts) in the bucket of its own event time. Training data and the report's
 * history come from here, so the model learns from what the stream will later show it.
 */
final class DailySales {

    private final Bucket bucket;
    private final Map<String, TreeMap<Long, Double>> byProduct;
    private final long orders;
    private final long refused;
    private final Instant first;
    private final Instant last;

    private DailySales(Bucket bucket, Map<String, TreeMap<Long, Double>> byProduct, long orders, long refused,
                       Instant first, Instant last) {
        this.bucket = bucket;
        this.byProduct = byProduct;
        this.orders = orders;
        this.refused = refused;
        this.first = first;
        this.last = last;
    }

    /** Reads the orders, checked with {@code config}'s validation settings. */
    static DailySales read(Path file, ZoneId zone, AppConfig config) throws IOException {
        OrderValidator validator = new OrderValidator(config.maxLineQuantity(), config.maxUnitPrice(),
                config.minEventTime(), config.maxFutureSkew());
        Bucket bucket = config.bucket();
        Map<String, TreeMap<Long, Double>> byProduct = new HashMap<>();
        long orders = 0;
        long refused = 0;
        long watermark = OrderValidator.NO_WATERMARK;
        Instant first = null;
        Instant last = null;
        try (OrderLinesFile in = OrderLinesFile.open(file, zone)) {
            while (in.hasNext()) {
                OrderEvent order = in.next();
                Instant t = order.getEventTime();
                orders++;
                // The wall clock is now: the data is history, so only the watermark rule can call it far-future.
                if (validator.check(order, watermark, System.currentTimeMillis()).isPresent()) {
                    refused++;
                    continue;
                }
                watermark = Math.max(watermark, t.toEpochMilli());
                first = first == null ? t : first;
                last = t;
                long b = bucket.floor(t).toEpochMilli();
                for (SeriesSale sale : SeriesSale.explode(order, Origin.UNKNOWN)) {
                    byProduct.computeIfAbsent(sale.series(), s -> new TreeMap<>()).merge(b, sale.units(), Double::sum);
                }
            }
        }
        return new DailySales(bucket, byProduct, orders, refused, first, last);
    }

    Bucket bucket() {
        return bucket;
    }

    /** Orders read, valid or not. */
    long orders() {
        return orders;
    }

    /** Orders the stream's validation refuses (they go to the dead-letter topic). */
    long refused() {
        return refused;
    }

    /** Event time of the first and the last valid order. */
    Instant first() {
        return first;
    }

    Instant last() {
        return last;
    }

    int productCount() {
        return byProduct.size();
    }

    /** Net units of {@code product} in the bucket starting at {@code bucketStart} (0 when it sold nothing). */
    double netUnits(String product, Instant bucketStart) {
        TreeMap<Long, Double> days = byProduct.get(product);
        return days == null ? 0.0 : days.getOrDefault(bucketStart.toEpochMilli(), 0.0);
    }

    /** The first bucket in which {@code product} had any line, or null. */
    Instant firstBucket(String product) {
        TreeMap<Long, Double> days = byProduct.get(product);
        return days == null || days.isEmpty() ? null : Instant.ofEpochMilli(days.firstKey());
    }

    /**
     * The {@code n} products with the most buckets of positive net units in [from, to), ties broken by units: the
     * regular sellers, on which a model has something to learn and MASE has a scale.
     */
    List<String> topSellers(int n, Instant from, Instant to) {
        record Score(String product, int days, double units) {
        }
        List<Score> scores = new ArrayList<>();
        long lo = from.toEpochMilli();
        long hi = to.toEpochMilli();
        byProduct.forEach((product, days) -> {
            int selling = 0;
            double units = 0;
            for (Map.Entry<Long, Double> e : days.subMap(lo, true, hi, false).entrySet()) {
                if (e.getValue() > 0) {
                    selling++;
                    units += e.getValue();
                }
            }
            if (selling > 0) {
                scores.add(new Score(product, selling, units));
            }
        });
        scores.sort(Comparator.comparingInt(Score::days).reversed().thenComparing(Comparator.comparingDouble(
                Score::units).reversed()).thenComparing(Score::product));
        return scores.stream().limit(n).map(Score::product).toList();
    }

    /**
     * The demand history of {@code product} from its first bucket (not before {@code from}) up to {@code to}
     * (exclusive), zero-filled, with net units below zero counted as zero demand as the stream's history does; null
     * when it has no bucket in that range.
     */
    SeriesHistory history(String product, Instant from, Instant to) {
        TreeMap<Long, Double> days = byProduct.get(product);
        if (days == null) {
            return null;
        }
        Long start = days.ceilingKey(bucket.floor(from).toEpochMilli());
        if (start == null || start >= to.toEpochMilli()) {
            return null;
        }
        Instant s = Instant.ofEpochMilli(start);
        int n = Math.toIntExact(bucket.between(s, bucket.floor(to.minusMillis(1))) + 1);
        double[] units = new double[n];
        for (int i = 0; i < n; i++) {
            units[i] = Math.max(0.0, days.getOrDefault(bucket.plus(s, i).toEpochMilli(), 0.0));
        }
        return SeriesHistory.of(product, bucket, s, units);
    }
}
