package io.demandcast.app.ingest;

import io.demandcast.app.eventtime.IntakeBacklog;

/**
 * How far the intake task of one {@code orders} partition has got in event time, told to every aggregating task:
 * records of all intake tasks are interleaved in the repartition topic by arrival, so an aggregating task can close
 * a bucket only once the slowest of them has passed it. The protocol is documented in
 * {@link io.demandcast.app.eventtime}; this is its message on the repartition topic, beside the sales.
 *
 * @param originPartition the {@code orders} partition of the intake task
 * @param eventTime       the latest event time of a valid order of that task, or {@link #NO_POSITION} before its
 *                        first one
 * @param idle            the task accepted no order for a whole {@code wallclock.close.interval} and has read what
 *                        its partition holds (see {@link IntakeBacklog}): aggregating tasks close buckets without
 *                        waiting for it
 */
public record OriginWatermark(int originPartition, long eventTime, boolean idle) implements SalesEvent {

    public static final long NO_POSITION = OrderValidator.NO_WATERMARK;

    /** The key on the repartition topic: never a series (the topic's partitioner sends a watermark everywhere). */
    public String key() {
        return "#origin-" + originPartition;
    }
}
