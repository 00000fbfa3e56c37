package io.demandcast.app.eventtime;

import java.time.Duration;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;

/**
 * The protocol as one aggregating task runs it: what it hears from upstream (sales and watermarks of each
 * {@code orders} partition) goes into its {@link BucketClock}, and {@link #closableUpTo} answers from the clock, the
 * backlog of the partitions and the wall clock. The owner stores {@link #clock()} after each change it is told of.
 */
public final class UpstreamClock implements CloseHorizon {

    private static final long NO_TARGET = Long.MIN_VALUE;

    private final BucketClock clock;
    /** The task's partition of the repartition topic, whose reading a pending horizon waits for. */
    private final int partition;
    private final long graceMs;
    private final IntakeBacklog backlog;
    private final LongSupplier wallClock;
    /** Wall-clock time of the last sale or watermark of an origin that is not idle (not stored). */
    private long lastHeard;
    /** The furthest horizon past idle partitions that a look begun after it was reached has cleared (not stored). */
    private long cleared = NONE;
    /** A horizon past idle partitions waiting for a look begun after {@link #pendingMark}, or {@link #NONE}. */
    private long pending = NONE;
    private long pendingMark;
    /**
     * How far this task must have read its repartition partition before {@link #pending} clears: that partition's
     * end as of the first answer from a look begun after {@link #pendingMark}; {@link #NO_TARGET} until one came.
     */
    private long pendingTarget = NO_TARGET;

    /**
     * @param clock     the task's clock, restored from its store
     * @param partition the partition of the repartition topic the task reads
     * @param grace     how long after a bucket's end (in event time) its sales still count
     * @param backlog   what each {@code orders} partition still holds for its intake task: an idle origin with records
     *                  waiting is waited for
     * @param wallClock the task's wall clock; no bucket closes before the wall clock has passed its end plus grace
     */
    public UpstreamClock(BucketClock clock, int partition, Duration grace, IntakeBacklog backlog,
                         LongSupplier wallClock) {
        this.clock = clock;
        this.partition = partition;
        this.graceMs = grace.toMillis();
        this.backlog = backlog;
        this.wallClock = wallClock;
        this.lastHeard = wallClock.getAsLong();
    }

    public BucketClock clock() {
        return clock;
    }

    /**
     * A watermark of {@code origin} at wall-clock time {@code now}: its position (or {@link BucketClock#UNSET}) and
     * whether it is idle. @return whether the clock changed (and must be stored)
     */
    public boolean observeWatermark(int origin, long position, boolean idle, long now) {
        if (!idle) {
            lastHeard = now;
        }
        return clock.observeWatermark(origin, position, idle);
    }

    /** A sale arrived at wall-clock time {@code now}, late or not: the stream is not quiet. */
    public void heard(long now) {
        lastHeard = now;
    }

    /**
     * A sale of {@code origin} at event time {@code t} that is not late. @return whether the clock changed (and must
     * be stored)
     */
    public boolean observeSale(int origin, long t) {
        return clock.observeSale(origin, t);
    }

    /**
     * Buckets close up to the slowest upstream partition that is not idle, less grace. When all are idle the stream
     * is quiet and still closes its buckets: event time is taken to move on with the wall clock from the last
     * record (during a fast replay records keep coming, so this adds nearly nothing). Never beyond the wall clock:
     * a bucket that has not ended by it cannot have all its sales yet, so an order stamped ahead of the clock (within
     * {@code max.future.skew}) waits in its open bucket instead of closing the days before it early.
     *
     * <p>Passing an idle partition takes a backlog look that began after the records that moved the horizon there
     * were heard: orders written to the idle partition before them (the same days, in a replay) are then either
     * counted as waiting, so the partition is waited for, or already read. A look older than that would miss them and
     * their buckets would close without them. An idle partition's intake task may also have read such orders
     * before that look and sent their sales and its watermark (no longer idle) to this task, which then waits until
     * it has read what its partition held at that look. Until then, the answer is what every partition, idle or not,
     * has passed.
     */
    @Override
    public long closableUpTo(long now) {
        long time;
        // An origin that said it is idle but has records waiting again is waited for: its intake task may not be
        // running (its instance died after it went idle) and so cannot say that it is not idle any more.
        IntPredicate waitedFor = origin -> backlog.waiting(origin) > 0;
        if (clock.allIdle(waitedFor)) {
            long latest = clock.streamTime();
            time = latest == BucketClock.UNSET ? latest : latest + Math.max(0, now - lastHeard);
        } else {
            time = clock.slowestOrigin(waitedFor);
        }
        long horizon = upTo(time);
        long everyOrigin = upTo(clock.slowestOrigin(origin -> true));
        if (horizon <= Math.max(everyOrigin, cleared)) {
            return horizon;
        }
        // The horizon passes an idle partition further than a look has cleared.
        clearIfLooked();
        if (pending == NONE && horizon > cleared) {
            pending = horizon;
            pendingMark = backlog.mark();
            clearIfLooked(); // a backlog that is not watched, or not known, clears it at once
        }
        return Math.min(horizon, Math.max(everyOrigin, cleared));
    }

    private void clearIfLooked() {
        if (pending == NONE) {
            return;
        }
        if (pendingTarget == NO_TARGET) {
            if (!backlog.lookedSince(pendingMark)) {
                return;
            }
            pendingTarget = backlog.repartitionEnd(partition);
        }
        long read = backlog.repartitionRead(partition);
        // Not known (not watched, or the look failed): the backlog look alone decides, as without a repartition topic.
        if (pendingTarget == IntakeBacklog.UNKNOWN || read == IntakeBacklog.UNKNOWN || read >= pendingTarget) {
            cleared = Math.max(cleared, pending);
            pending = NONE;
            pendingTarget = NO_TARGET;
        }
    }

    /** The horizon for event time {@code time}: never beyond the wall clock, less grace. */
    private long upTo(long time) {
        return time == BucketClock.UNSET ? NONE : Math.min(time, wallClock.getAsLong()) - graceMs;
    }

    @Override
    public String toString() {
        return clock.toString();
    }
}
