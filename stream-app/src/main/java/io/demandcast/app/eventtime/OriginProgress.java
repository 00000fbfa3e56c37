package io.demandcast.app.eventtime;

import io.demandcast.model.Bucket;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol as the intake task of one {@code orders} partition (its origin) runs it: when a watermark of its
 * position is due, and whether it is idle. The task keeps its position (it judges orders by it) and sends the
 * watermark; this decides when.
 *
 * <p>A watermark is due with the task's first order after it starts, each time its position passes a close point
 * (a bucket's end plus grace), when it goes idle, and when it stops being idle. Idle means nothing to read, not
 * nothing read: no order accepted for a whole {@link Cadence#idleAfter()} AND its partition holds nothing more for it
 * ({@link IntakeBacklog}), or the backlog is not known.
 */
public final class OriginProgress {

    private static final Logger LOG = LoggerFactory.getLogger(OriginProgress.class);

    /**
     * When watermarks are due: at the close points of {@code bucket} and {@code grace}; idle after {@code idleAfter}
     * ({@code wallclock.close.interval}).
     */
    public record Cadence(Bucket bucket, Duration grace, Duration idleAfter) {
    }

    private final int origin;
    private final Cadence cadence;
    private final IntakeBacklog backlog;
    /** Whether a watermark went out since this task started (restarts included). */
    private boolean announced;
    private boolean idle;
    private boolean acceptedSinceLook;
    /** Whether the task went a whole interval without an order while records waited for it (logged once). */
    private boolean starved;

    /**
     * @param origin  the task's {@code orders} partition
     * @param backlog what the partition still holds for the task: a task with records waiting is never idle
     */
    public OriginProgress(int origin, Cadence cadence, IntakeBacklog backlog) {
        this.origin = origin;
        this.cadence = cadence;
        this.backlog = backlog;
    }

    /** Whether the task is idle: what its next watermark says. */
    public boolean idle() {
        return idle;
    }

    /**
     * The task accepted an order; its position moved from {@code before} to {@code position} (either may be
     * {@link BucketClock#UNSET}). @return whether a watermark is due now
     */
    public boolean accepted(long before, long position) {
        acceptedSinceLook = true;
        starved = false;
        if (!announced || idle || closePoint(position) != closePoint(before)) {
            if (idle) {
                LOG.info("orders partition {} has orders again: buckets wait for it again from event time {}",
                        origin, eventTime(position));
            }
            idle = false;
            announced = true;
            return true;
        }
        return false;
    }

    /**
     * The task's wall-clock look, once per {@link Cadence#idleAfter()}, at {@code position}. @return whether a
     * watermark is due now (it says {@link #idle()})
     */
    public boolean onWallClock(long position) {
        boolean due = false;
        long waiting = backlog.waiting(origin);
        if (!acceptedSinceLook && !idle && waiting <= 0) {
            idle = true;
            LOG.info("orders partition {} is idle at event time {}: no order for {}, {}; buckets stop waiting for it",
                    origin, eventTime(position), cadence.idleAfter(), waiting == 0 ? "nothing waiting"
                            : "backlog not known");
            due = true;
        } else if (idle && waiting > 0) {
            // Orders came to an idle partition: the aggregating tasks wait for them from now, not only from when
            // this task gets its turn to read the first of them.
            idle = false;
            LOG.info("orders partition {} has {} record(s) waiting: buckets wait for it again from event time {}",
                    origin, waiting, eventTime(position));
            due = true;
        } else if (!acceptedSinceLook && !idle && !starved) {
            // Once per stretch without an order: this is the mistake the backlog prevents, worth seeing in the log.
            starved = true;
            LOG.info("orders partition {}: no order read for {}, but {} record(s) wait for it: not idle (its task "
                    + "got no turn; buckets keep waiting for it)", origin, cadence.idleAfter(), waiting);
        }
        acceptedSinceLook = false;
        if (due) {
            announced = true;
        }
        return due;
    }

    /** The last bucket closable once event time is {@code t}; watermarks go out when it changes. */
    private long closePoint(long t) {
        if (t == BucketClock.UNSET) {
            return t;
        }
        return cadence.bucket().floor(Instant.ofEpochMilli(t).minus(cadence.grace())).toEpochMilli();
    }

    private static String eventTime(long position) {
        return position == BucketClock.UNSET ? "(none yet)" : Instant.ofEpochMilli(position).toString();
    }
}
