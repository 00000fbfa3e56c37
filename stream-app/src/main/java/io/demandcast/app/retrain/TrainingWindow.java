package io.demandcast.app.retrain;

import io.demandcast.app.eventtime.BucketClock;
import io.demandcast.app.aggregate.SalesRing;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.SalesBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's bounded memory of recent sales: per series the last {@code capacity} closed buckets, kept as the
 * stream's own {@link SalesRing} so that training sees exactly the histories (demand, carried price) that
 * forecasting sees; at most {@code maxSeries} series, the least recently updated dropped first. Not thread-safe:
 * one consumer thread owns it and hands out copies ({@link #snapshot}).
 */
public final class TrainingWindow {

    private final Bucket bucket;
    private final int capacity;
    // Only its bucket arithmetic is used (SalesRing.append): the window has no stream time of its own.
    private final BucketClock clock;
    private final LinkedHashMap<String, SalesRing> rings;
    private long dropped;
    private long ignored;

    public TrainingWindow(Bucket bucket, int capacity, int maxSeries) {
        if (capacity < 2 || maxSeries < 1) {
            throw new IllegalArgumentException("capacity must be >= 2 and maxSeries >= 1; got " + capacity + " and "
                    + maxSeries);
        }
        this.bucket = bucket;
        this.capacity = capacity;
        this.clock = new BucketClock(bucket, 1);
        this.rings = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SalesRing> eldest) {
                if (size() > maxSeries) {
                    dropped++;
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Adds one closed bucket. A bucket already held (a redelivery) is ignored; a gap (a series retired and back)
     * is filled with zero buckets, as the stream fills buckets without sales.
     */
    public void add(SalesBucket b) {
        long start = b.getBucketStart().toEpochMilli();
        double price = b.getMeanPrice() == null ? Double.NaN : b.getMeanPrice();
        SalesRing ring = rings.get(b.getSeries());
        if (ring == null) {
            ring = SalesRing.empty();
            rings.put(b.getSeries(), ring);
        } else if (ring.length() > 0) {
            Instant next = bucket.plus(Instant.ofEpochMilli(ring.start()), ring.length());
            long gap = bucket.between(next, b.getBucketStart());
            if (gap < 0) {
                ignored++;
                return;
            }
            // Only the last `capacity` buckets survive, so a longer gap starts the series afresh.
            if (gap >= capacity) {
                ring = SalesRing.empty();
                rings.put(b.getSeries(), ring);
            } else {
                for (long i = 0; i < gap; i++) {
                    ring.append(clock, bucket.plus(next, i).toEpochMilli(), 0.0, Double.NaN, capacity);
                }
            }
        }
        ring.append(clock, start, b.getUnits(), price, capacity);
    }

    /** Copies of every series' history, cut to end before the bucket starting at {@code cut}. */
    public List<SeriesHistory> snapshot(Instant cut) {
        List<SeriesHistory> out = new ArrayList<>(rings.size());
        // Iterating an access-ordered map does not reorder it; get() would.
        for (Map.Entry<String, SalesRing> e : rings.entrySet()) {
            SeriesHistory h = e.getValue().toHistory(e.getKey(), bucket);
            long over = h.end().isAfter(cut) ? bucket.between(cut, h.end()) : 0;
            if (over > 0) {
                h = over >= h.length() ? null : h.head((int) (h.length() - over));
            }
            if (h != null && h.length() > 0) {
                out.add(h);
            }
        }
        return out;
    }

    public int series() {
        return rings.size();
    }

    /** Series dropped because {@code maxSeries} were held. */
    public long dropped() {
        return dropped;
    }

    /** Buckets ignored because the series already held them. */
    public long ignored() {
        return ignored;
    }
}
