package io.demandcast.app.aggregate;

import io.demandcast.app.eventtime.BucketClock;
import io.demandcast.app.ingest.SeriesSale;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The open buckets of one series that has orders in them (usually one; two while the previous bucket is in its
 * grace period). Only series with orders in open buckets have one: what outlives a close is in {@link SeriesState}.
 */
public final class SeriesTally {

    /** Sums of one open bucket. */
    public static final class Sums {
        double units;
        double revenue;
        double soldUnits;
        double soldRevenue;
        int orders;

        void add(SeriesSale s) {
            units += s.units();
            revenue += s.revenue();
            soldUnits += s.soldUnits();
            soldRevenue += s.soldRevenue();
            orders++;
        }

        public double units() {
            return units;
        }

        public double revenue() {
            return revenue;
        }

        public int orders() {
            return orders;
        }

        /** Revenue per unit sold (returns left out); NaN when nothing was sold. */
        public double meanPrice() {
            return soldUnits > 0 ? soldRevenue / soldUnits : Double.NaN;
        }
    }

    private final TreeMap<Long, Sums> open;

    private SeriesTally(TreeMap<Long, Sums> open) {
        this.open = open;
    }

    public static SeriesTally empty() {
        return new SeriesTally(new TreeMap<>());
    }

    public void add(long bucketStart, SeriesSale sale) {
        open.computeIfAbsent(bucketStart, b -> new Sums()).add(sale);
    }

    /** Removes and returns the sums of a bucket being closed; null when the series had no order in it. */
    public Sums take(long bucketStart) {
        return open.remove(bucketStart);
    }

    /** The first open bucket with orders; {@link BucketClock#UNSET} when there is none. */
    public long firstOpen() {
        return open.isEmpty() ? BucketClock.UNSET : open.firstKey();
    }

    public boolean hasOpenBuckets() {
        return !open.isEmpty();
    }

    /** Store bytes: version, count, then per open bucket start and sums. */
    public static final class StoreSerde implements Serde<SeriesTally> {
        private static final byte VERSION = 2;
        private static final int PER_BUCKET = 8 + 4 * 8 + 4;

        @Override
        public Serializer<SeriesTally> serializer() {
            return (topic, t) -> {
                if (t == null) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.allocate(1 + 4 + t.open.size() * PER_BUCKET);
                b.put(VERSION).putInt(t.open.size());
                for (Map.Entry<Long, Sums> e : t.open.entrySet()) {
                    Sums s = e.getValue();
                    b.putLong(e.getKey()).putDouble(s.units).putDouble(s.revenue).putDouble(s.soldUnits)
                            .putDouble(s.soldRevenue).putInt(s.orders);
                }
                return b.array();
            };
        }

        @Override
        public Deserializer<SeriesTally> deserializer() {
            return (topic, data) -> {
                if (data == null) {
                    return null;
                }
                ByteBuffer b = ByteBuffer.wrap(data);
                byte version = b.get();
                if (version != VERSION) {
                    throw new SerializationException("series tally in " + topic + ": expected layout version "
                            + VERSION + ", got " + version);
                }
                int n = b.getInt();
                TreeMap<Long, Sums> open = new TreeMap<>();
                for (int i = 0; i < n; i++) {
                    long start = b.getLong();
                    Sums s = new Sums();
                    s.units = b.getDouble();
                    s.revenue = b.getDouble();
                    s.soldUnits = b.getDouble();
                    s.soldRevenue = b.getDouble();
                    s.orders = b.getInt();
                    open.put(start, s);
                }
                return new SeriesTally(open);
            };
        }
    }
}
