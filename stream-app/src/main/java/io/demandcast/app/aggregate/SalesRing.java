package io.demandcast.app.aggregate;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The closed buckets of one series, gap-free and bounded: the last {@code capacity} buckets' net units and mean
 * sold price (NaN when nothing was sold), oldest first. The forecast cycle turns it into a {@link SeriesHistory}.
 */
public final class SalesRing {

    /** Name of the price covariate handed to the model (the mean sold price, carried over buckets without sales). */
    public static final String PRICE = "price";

    private long start;
    private double[] units;
    private double[] prices;
    private double lastPrice;

    private SalesRing(long start, double[] units, double[] prices, double lastPrice) {
        this.start = start;
        this.units = units;
        this.prices = prices;
        this.lastPrice = lastPrice;
    }

    public static SalesRing empty() {
        return new SalesRing(BucketClock.UNSET, new double[0], new double[0], Double.NaN);
    }

    /** Appends the closed bucket that follows the last one held, dropping the oldest beyond {@code capacity}. */
    public void append(BucketClock clock, long bucketStart, double netUnits, double meanPrice, int capacity) {
        if (units.length == 0) {
            start = bucketStart;
        } else {
            long expected = clock.bucket().plus(Instant.ofEpochMilli(start), units.length).toEpochMilli();
            if (bucketStart != expected) {
                throw new IllegalStateException("history append out of order: expected bucket "
                        + Instant.ofEpochMilli(expected) + ", got " + Instant.ofEpochMilli(bucketStart));
            }
        }
        int n = units.length;
        int keep = Math.min(n, capacity - 1);
        double[] u = new double[keep + 1];
        double[] p = new double[keep + 1];
        System.arraycopy(units, n - keep, u, 0, keep);
        System.arraycopy(prices, n - keep, p, 0, keep);
        u[keep] = netUnits;
        p[keep] = meanPrice;
        if (n - keep > 0) {
            start = clock.bucket().plus(Instant.ofEpochMilli(start), n - keep).toEpochMilli();
        }
        units = u;
        prices = p;
        if (!Double.isNaN(meanPrice)) {
            lastPrice = meanPrice;
        }
    }

    public int length() {
        return units.length;
    }

    public long start() {
        return start;
    }

    /** Net units per bucket as published on {@code sales-actuals}, oldest first. */
    public double[] units() {
        return units.clone();
    }

    /**
     * The history the model sees: demand is never negative, so a bucket where returns outweighed sales counts as
     * zero; the price is carried forward over buckets without sales (and back before the first known one).
     */
    public SeriesHistory toHistory(String series, Bucket bucket) {
        double[] demand = new double[units.length];
        for (int i = 0; i < units.length; i++) {
            demand[i] = Math.max(0.0, units[i]);
        }
        double[] price = new double[units.length];
        double carry = firstKnownPrice();
        for (int i = 0; i < prices.length; i++) {
            if (!Double.isNaN(prices[i])) {
                carry = prices[i];
            }
            price[i] = carry;
        }
        return new SeriesHistory(series, bucket, Instant.ofEpochMilli(start), demand, Map.of(PRICE, price));
    }

    private double firstKnownPrice() {
        for (double p : prices) {
            if (!Double.isNaN(p)) {
                return p;
            }
        }
        return Double.isNaN(lastPrice) ? 0.0 : lastPrice;
    }

    @Override
    public String toString() {
        return "SalesRing{start=" + Instant.ofEpochMilli(start) + ", units=" + Arrays.toString(units) + "}";
    }

    /** Store bytes: version, start, last price, count, then units and prices. */
    public static final class StoreSerde implements Serde<SalesRing> {
        private static final byte VERSION = 1;

        @Override
        public Serializer<SalesRing> serializer() {
            return (topic, r) -> {
                if (r == null) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 4 + r.units.length * 16);
                b.put(VERSION).putLong(r.start).putDouble(r.lastPrice).putInt(r.units.length);
                for (double u : r.units) {
                    b.putDouble(u);
                }
                for (double p : r.prices) {
                    b.putDouble(p);
                }
                return b.array();
            };
        }

        @Override
        public Deserializer<SalesRing> deserializer() {
            return (topic, data) -> {
                if (data == null) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.wrap(data);
                byte version = b.get();
                if (version != VERSION) {
                    throw new SerializationException("sales history in " + topic + ": expected layout version "
                            + VERSION + ", got " + version);
                }
                long start = b.getLong();
                double lastPrice = b.getDouble();
                int n = b.getInt();
                double[] u = new double[n];
                double[] p = new double[n];
                for (int i = 0; i < n; i++) {
                    u[i] = b.getDouble();
                }
                for (int i = 0; i < n; i++) {
                    p[i] = b.getDouble();
                }
                return new SalesRing(start, u, p, lastPrice);
            };
        }
    }
}
