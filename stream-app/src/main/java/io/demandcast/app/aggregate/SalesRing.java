package io.demandcast.app.aggregate;

import io.demandcast.app.eventtime.BucketClock;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * Its arrays are never changed once made, so histories it hands out may share them. The aggregator keeps a series'
 * history as two rings, its stored body and its state's tail, and {@link #joined joins} them at each close.
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

    /**
     * The buckets of {@code body} followed by those of {@code tail}, which must start where the body ends: a series'
     * stored body and the tail its {@link SeriesState} keeps. The last price is the tail's, or the body's when the
     * tail has none; arrays are shared where nothing is added to them.
     */
    static SalesRing joined(BucketClock clock, SalesRing body, SalesRing tail) {
        double lastPrice = Double.isNaN(tail.lastPrice) ? body.lastPrice : tail.lastPrice;
        if (tail.units.length == 0) {
            return new SalesRing(body.start, body.units, body.prices, lastPrice);
        }
        if (body.units.length == 0) {
            return new SalesRing(tail.start, tail.units, tail.prices, lastPrice);
        }
        long bodyEnd = clock.bucket().plus(Instant.ofEpochMilli(body.start), body.units.length).toEpochMilli();
        if (tail.start != bodyEnd) {
            throw new IllegalStateException("history tail does not follow its body: the body ends at "
                    + Instant.ofEpochMilli(bodyEnd) + ", the tail starts at " + Instant.ofEpochMilli(tail.start));
        }
        int n = body.units.length;
        double[] u = Arrays.copyOf(body.units, n + tail.units.length);
        double[] p = Arrays.copyOf(body.prices, n + tail.prices.length);
        System.arraycopy(tail.units, 0, u, n, tail.units.length);
        System.arraycopy(tail.prices, 0, p, n, tail.prices.length);
        return new SalesRing(body.start, u, p, lastPrice);
    }

    /** The last {@code n} buckets (all when it holds fewer) and the same last price. */
    SalesRing last(BucketClock clock, int n) {
        int len = units.length;
        if (n >= len) {
            return this;
        }
        long from = clock.bucket().plus(Instant.ofEpochMilli(start), len - n).toEpochMilli();
        return new SalesRing(from, Arrays.copyOfRange(units, len - n, len), Arrays.copyOfRange(prices, len - n, len),
                lastPrice);
    }

    /** No buckets, this ring's last price: what a series' state keeps once its buckets went to its stored body. */
    SalesRing emptied() {
        return new SalesRing(BucketClock.UNSET, new double[0], new double[0], lastPrice);
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
        // The ring never changes its arrays in place (append makes new ones), so the history may share them when
        // they already say what the model should see: no net returns, a price in every bucket.
        double[] demand = units;
        for (int i = 0; i < units.length; i++) {
            if (units[i] < 0.0) {
                demand = new double[units.length];
                for (int j = 0; j < units.length; j++) {
                    demand[j] = Math.max(0.0, units[j]);
                }
                break;
            }
        }
        double[] price = prices;
        for (int i = 0; i < prices.length; i++) {
            if (Double.isNaN(prices[i])) {
                price = new double[prices.length];
                double carry = firstKnownPrice();
                for (int j = 0; j < prices.length; j++) {
                    if (!Double.isNaN(prices[j])) {
                        carry = prices[j];
                    }
                    price[j] = carry;
                }
                break;
            }
        }
        return new SeriesHistory(series, bucket, Instant.ofEpochMilli(start), demand, Map.of(PRICE, price));
    }

    /** Equal content (NaN prices equal), for tests of the encoding. */
    boolean sameAs(SalesRing o) {
        return start == o.start && Double.compare(lastPrice, o.lastPrice) == 0 && Arrays.equals(units, o.units)
                && Arrays.equals(prices, o.prices);
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

    /** Bytes {@link #writeTo} takes. */
    int encodedSize() {
        return 8 + 4 + 4 + 1 + units.length * ((unitsAreFloats() ? 4 : 8) + 4);
    }

    /** Whether every unit count is a float (retail counts are small integers): then the store keeps floats. */
    private boolean unitsAreFloats() {
        for (double u : units) {
            if ((double) (float) u != u) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes start, last price, count, then units and prices: the ring's part of a {@link SeriesState}, in the
     * buffer's byte order. At the default 120 buckets doubles made a history of about 2 KB to read at every close and
     * write at every fold, so values are kept as floats where that changes nothing: prices always (only the model
     * reads them, and its encoder casts them to floats), units when every one of them is a float (exact; the
     * fallback forecasts from them), else as doubles, which a byte before them says (4 or 8).
     */
    void writeTo(ByteBuffer b) {
        boolean floatUnits = unitsAreFloats();
        b.putLong(start).putFloat((float) lastPrice).putInt(units.length).put((byte) (floatUnits ? 4 : 8));
        // One put per value, not a bulk copy through a view buffer: that swaps bytes in a native call per array,
        // which cost more than the rest of the encoding for the short rings of most series (JFR, bench cycle).
        for (double u : units) {
            if (floatUnits) {
                b.putFloat((float) u);
            } else {
                b.putDouble(u);
            }
        }
        for (double p : prices) {
            b.putFloat((float) p);
        }
    }

    /** What layouts before 3 wrote: start, last price, count, then units and prices, all doubles. */
    void writeDoublesTo(ByteBuffer b) {
        b.putLong(start).putDouble(lastPrice).putInt(units.length);
        for (double u : units) {
            b.putDouble(u);
        }
        for (double p : prices) {
            b.putDouble(p);
        }
    }

    /**
     * Reads what {@link #writeTo} wrote or, for {@code doubles}, what {@link #writeDoublesTo} did; {@code what} names
     * the bytes in an error.
     */
    static SalesRing readFrom(ByteBuffer b, String what, boolean doubles) {
        long start = b.getLong();
        double lastPrice = doubles ? b.getDouble() : b.getFloat();
        int n = b.getInt();
        int unitWidth = 8;
        if (!doubles) {
            unitWidth = b.hasRemaining() ? b.get() : -1;
            if (unitWidth != 4 && unitWidth != 8) {
                throw new SerializationException(what + ": expected the width of the history's units (4 or 8), got "
                        + unitWidth);
            }
        }
        int priceWidth = doubles ? 8 : 4;
        if (n < 0 || (long) n * (unitWidth + priceWidth) > b.remaining()) {
            throw new SerializationException(what + ": expected a history of up to "
                    + b.remaining() / (unitWidth + priceWidth) + " buckets in the remaining " + b.remaining()
                    + " bytes, got a count of " + n);
        }
        double[] u = new double[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = unitWidth == 4 ? b.getFloat() : b.getDouble();
        }
        for (int i = 0; i < n; i++) {
            p[i] = priceWidth == 4 ? b.getFloat() : b.getDouble();
        }
        return new SalesRing(start, u, p, lastPrice);
    }

    /**
     * Store bytes of a series' frozen history body ({@link BucketAggregator#SERIES_HISTORY_STORE}): a version byte,
     * then {@link #writeTo}, little-endian.
     */
    public static final class StoreSerde implements Serde<SalesRing> {
        private static final byte VERSION = 1;

        @Override
        public Serializer<SalesRing> serializer() {
            return (topic, r) -> {
                if (r == null) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.allocate(1 + r.encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
                b.put(VERSION);
                r.writeTo(b);
                return b.array();
            };
        }

        @Override
        public Deserializer<SalesRing> deserializer() {
            return (topic, data) -> data == null ? null : decode(data, "series history in " + topic);
        }

        static SalesRing decode(byte[] data, String what) {
            if (data.length < 1 + 8 + 4 + 4 + 1) {
                throw new SerializationException(what + ": expected at least " + (1 + 8 + 4 + 4 + 1)
                        + " bytes, got " + data.length);
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            byte version = b.get();
            if (version != VERSION) {
                throw new SerializationException(what + ": expected layout version " + VERSION + ", got " + version);
            }
            SalesRing ring = readFrom(b, what, false);
            if (b.hasRemaining()) {
                throw new SerializationException(what + ": " + b.remaining() + " bytes after the history");
            }
            return ring;
        }
    }
}
