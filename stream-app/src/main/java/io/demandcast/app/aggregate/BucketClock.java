package io.demandcast.app.aggregate;

import io.demandcast.model.Bucket;
import java.time.Duration;
import java.time.Instant;

/**
 * The bucket clock of one task: its stream time (the latest event time it has seen) and the next bucket to close.
 * A bucket closes when stream time reaches its end plus the grace period; every bucket before
 * {@link #nextToClose()} is closed, and a record that falls in one is late. This is kept in a store of its own
 * rather than taken from Kafka Streams' windowing, so that a closed bucket never depends on when a wall-clock
 * emitter happened to look (DESIGN.md, pitfalls).
 */
public final class BucketClock {

    public static final long UNSET = Long.MIN_VALUE;

    private final Bucket bucket;
    private final long graceMs;
    private long streamTime;
    private long nextToClose;

    public BucketClock(Bucket bucket, Duration grace, long streamTime, long nextToClose) {
        this.bucket = bucket;
        this.graceMs = grace.toMillis();
        this.streamTime = streamTime;
        this.nextToClose = nextToClose;
    }

    public long streamTime() {
        return streamTime;
    }

    public long nextToClose() {
        return nextToClose;
    }

    public long floor(long t) {
        return bucket.floor(Instant.ofEpochMilli(t)).toEpochMilli();
    }

    public long next(long bucketStart) {
        return bucket.plus(Instant.ofEpochMilli(bucketStart), 1).toEpochMilli();
    }

    /** Buckets from the one starting at {@code from} to the one starting at {@code to}. */
    public long between(long from, long to) {
        return bucket.between(Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
    }

    /** Whether an event at {@code t} falls in a bucket that is already closed. */
    public boolean isLate(long t) {
        return nextToClose != UNSET && floor(t) < nextToClose;
    }

    /**
     * Moves stream time to {@code t} if later. The first event starts the clock at the bucket that is still open
     * for records up to grace before it, so an early record of the first bucket is not called late.
     * @return whether the clock changed
     */
    public boolean observe(long t) {
        boolean changed = false;
        if (nextToClose == UNSET) {
            nextToClose = floor(t - graceMs);
            changed = true;
        }
        if (t > streamTime) {
            streamTime = t;
            changed = true;
        }
        return changed;
    }

    /** The next bucket to close at {@code time}, or {@link #UNSET} when it must still wait. */
    public long closable(long time) {
        if (nextToClose == UNSET) {
            return UNSET;
        }
        long end = next(nextToClose);
        return time >= end + graceMs ? nextToClose : UNSET;
    }

    /** The bucket {@link #closable} returned is closed. */
    public void closed(long bucketStart) {
        if (bucketStart != nextToClose) {
            throw new IllegalStateException("closed bucket " + Instant.ofEpochMilli(bucketStart)
                    + " but the next to close is " + Instant.ofEpochMilli(nextToClose));
        }
        nextToClose = next(bucketStart);
    }

    /** Skips to the last bucket closable at {@code time} without closing the ones between (no series to close). */
    public void skipTo(long time) {
        long last = floor(time - graceMs);
        // The bucket holding time - grace ends after time - grace, so it is not closable yet: everything before it is.
        if (nextToClose != UNSET && last > nextToClose) {
            nextToClose = last;
        }
    }

    public long graceMs() {
        return graceMs;
    }

    public Bucket bucket() {
        return bucket;
    }
}
