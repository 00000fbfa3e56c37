package io.demandcast.app.eventtime;

import io.demandcast.model.Bucket;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.IntPredicate;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The stored state of the protocol in one aggregating task: how far each upstream intake task (one per
 * {@code orders} partition, its origin) has got in event time, which origins said they are idle, and the next bucket
 * to close. {@link UpstreamClock} answers from it when buckets may close (see the package page).
 *
 * <p>Positions come from the origin's sales and from its watermarks. An origin that said it is idle is not waited
 * for until it sends again; one never heard of is waited for (it may be starting).
 *
 * <p>Before the first bucket closes, an earlier sale moves the first bucket to close back: nothing has been
 * published yet, so nothing is late. This is kept in a store of its own rather than taken from Kafka Streams'
 * windowing, so that a closed bucket never depends on when a wall-clock emitter happened to look.
 *
 * <p>The stored bytes ({@link #toBytes()}) are the changelog of the {@code bucket-clock} store: their layout is
 * a contract with every state already written.
 */
public final class BucketClock {

    public static final long UNSET = Long.MIN_VALUE;

    private static final byte LAYOUT_V2 = 2;
    /** The layout before per-origin positions: stream time and next to close, two longs. */
    private static final int LEGACY_LENGTH = 16;

    private final Bucket bucket;
    private long nextToClose;
    private boolean closedAny;
    private long[] positions;
    private boolean[] idle;

    /** A clock that has seen nothing, waiting for {@code origins} upstream partitions. */
    public BucketClock(Bucket bucket, int origins) {
        this(bucket, UNSET, false, filled(Math.max(1, origins)), new boolean[Math.max(1, origins)]);
    }

    private BucketClock(Bucket bucket, long nextToClose, boolean closedAny, long[] positions, boolean[] idle) {
        this.bucket = bucket;
        this.nextToClose = nextToClose;
        this.closedAny = closedAny;
        this.positions = positions;
        this.idle = idle;
    }

    private static long[] filled(int n) {
        long[] p = new long[n];
        Arrays.fill(p, UNSET);
        return p;
    }

    /**
     * The clock stored by {@link #toBytes()}, waiting for at least {@code origins} partitions. A clock of the
     * layout before positions (one stream time) counts that time for every origin: its buckets up to there are
     * closed already, so this closes nothing more, and each origin moves on from there.
     */
    public static BucketClock restore(Bucket bucket, int origins, byte[] saved) {
        if (saved == null) {
            return new BucketClock(bucket, origins);
        }
        ByteBuffer b = ByteBuffer.wrap(saved);
        if (saved.length == LEGACY_LENGTH) {
            long streamTime = b.getLong();
            long next = b.getLong();
            long[] p = filled(Math.max(1, origins));
            Arrays.fill(p, streamTime);
            return new BucketClock(bucket, next, next != UNSET, p, new boolean[p.length]);
        }
        byte layout = b.get();
        if (layout != LAYOUT_V2) {
            throw new SerializationException("bucket clock: expected layout " + LAYOUT_V2 + " or the legacy "
                    + LEGACY_LENGTH + " bytes, got layout " + layout + " in " + saved.length + " bytes");
        }
        long next = b.getLong();
        boolean closedAny = b.get() != 0;
        int stored = b.getInt();
        int n = Math.max(Math.max(1, origins), stored);
        long[] p = filled(n);
        boolean[] i = new boolean[n];
        for (int k = 0; k < stored; k++) {
            p[k] = b.getLong();
            i[k] = b.get() != 0;
        }
        return new BucketClock(bucket, next, closedAny, p, i);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 1 + 4 + positions.length * 9);
        b.put(LAYOUT_V2).putLong(nextToClose).put((byte) (closedAny ? 1 : 0)).putInt(positions.length);
        for (int k = 0; k < positions.length; k++) {
            b.putLong(positions[k]).put((byte) (idle[k] ? 1 : 0));
        }
        return b.array();
    }

    /** The latest event time seen from any origin, or {@link #UNSET}. */
    public long streamTime() {
        long max = UNSET;
        for (long p : positions) {
            max = Math.max(max, p);
        }
        return max;
    }

    /** How many upstream partitions this clock waits for. */
    public int origins() {
        return positions.length;
    }

    /** The position of one origin, or {@link #UNSET} if none is known. */
    public long position(int origin) {
        return origin >= 0 && origin < positions.length ? positions[origin] : UNSET;
    }

    public boolean isIdle(int origin) {
        return origin >= 0 && origin < idle.length && idle[origin];
    }

    /**
     * The slowest position of the origins not idle, or {@link #UNSET} while one of them has sent nothing, or when
     * all are idle (then {@link UpstreamClock} decides).
     */
    public long slowestOrigin() {
        return slowestOrigin(k -> false);
    }

    /**
     * {@link #slowestOrigin()}, where an idle origin for which {@code waitedFor} holds counts as not idle: one whose
     * partition has records waiting again, while its intake task cannot say so (its instance died after it went
     * idle, and no other instance took the task over yet).
     */
    public long slowestOrigin(IntPredicate waitedFor) {
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (int k = 0; k < positions.length; k++) {
            if (idle[k] && !waitedFor.test(k)) {
                continue;
            }
            if (positions[k] == UNSET) {
                return UNSET;
            }
            min = Math.min(min, positions[k]);
            any = true;
        }
        return any ? min : UNSET;
    }

    /** Whether every origin said it is idle. */
    public boolean allIdle() {
        return allIdle(k -> false);
    }

    /** Whether every origin said it is idle, and {@code waitedFor} holds for none of them. */
    public boolean allIdle(IntPredicate waitedFor) {
        for (int k = 0; k < idle.length; k++) {
            if (!idle[k] || waitedFor.test(k)) {
                return false;
            }
        }
        return true;
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
        return closedAny && floor(t) < nextToClose;
    }

    /**
     * A sale of {@code origin} at {@code t} (not late): the origin has got at least that far and is not idle.
     * @return whether the clock changed
     */
    public boolean observeSale(int origin, long t) {
        boolean changed = false;
        if (!closedAny && (nextToClose == UNSET || floor(t) < nextToClose)) {
            nextToClose = floor(t);
            changed = true;
        }
        return advance(origin, t, false) || changed;
    }

    /**
     * A watermark of {@code origin}: its position {@code t} (or {@link #UNSET} when it has none) and whether it is
     * idle. @return whether the clock changed
     */
    public boolean observeWatermark(int origin, long t, boolean isIdle) {
        return advance(origin, t, isIdle);
    }

    private boolean advance(int origin, long t, boolean isIdle) {
        if (origin < 0) {
            return false;
        }
        if (origin >= positions.length) {
            int old = positions.length;
            positions = Arrays.copyOf(positions, origin + 1);
            Arrays.fill(positions, old, positions.length, UNSET);
            idle = Arrays.copyOf(idle, origin + 1);
        }
        boolean changed = false;
        if (t != UNSET && t > positions[origin]) {
            positions[origin] = t;
            changed = true;
        }
        if (idle[origin] != isIdle) {
            idle[origin] = isIdle;
            changed = true;
        }
        return changed;
    }

    /**
     * The next bucket to close under {@code horizon} (a {@link CloseHorizon}'s answer, grace already taken off), or
     * {@link #UNSET} when it must still wait: a bucket may close once its end is at or before the horizon.
     */
    public long closable(long horizon) {
        if (nextToClose == UNSET || horizon == CloseHorizon.NONE) {
            return UNSET;
        }
        return horizon >= next(nextToClose) ? nextToClose : UNSET;
    }

    /** The bucket {@link #closable} returned is closed. */
    public void closed(long bucketStart) {
        if (bucketStart != nextToClose) {
            throw new IllegalStateException("closed bucket " + Instant.ofEpochMilli(bucketStart)
                    + " but the next to close is " + Instant.ofEpochMilli(nextToClose));
        }
        nextToClose = next(bucketStart);
        closedAny = true;
    }

    /** Skips to the last bucket closable under {@code horizon} without closing the ones between (no series). */
    public void skipTo(long horizon) {
        long last = floor(horizon);
        // The bucket holding the horizon ends after it, so it is not closable yet: everything before it is.
        if (nextToClose != UNSET && last > nextToClose) {
            nextToClose = last;
        }
    }

    public Bucket bucket() {
        return bucket;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BucketClock{next=")
                .append(nextToClose == UNSET ? "unset" : Instant.ofEpochMilli(nextToClose).toString());
        for (int k = 0; k < positions.length; k++) {
            sb.append(", origin ").append(k).append('=')
                    .append(positions[k] == UNSET ? "none" : Instant.ofEpochMilli(positions[k]).toString())
                    .append(idle[k] ? " (idle)" : "");
        }
        return sb.append('}').toString();
    }
}
