package io.demandcast.app.eventtime;

/**
 * How many records of an {@code orders} partition its intake task has still to read, as last seen, and how far an
 * aggregating task has read what the intake tasks sent it ({@link #repartitionEnd}, {@link #repartitionRead}). An
 * intake task counts as idle only when it accepted no order for a whole {@code wallclock.close.interval} AND this
 * says nothing is waiting: a task that a busy stream thread or a loaded machine left without a turn for that long
 * still has its partition's records ahead of it, and the aggregating tasks must keep waiting for them (otherwise the
 * other partitions' event time closes the buckets those records belong to, and they come out {@code late}).
 *
 * <p>Filled outside the topology (the app asks the broker, see {@link BrokerBacklog}); a topology built without one
 * ({@link #NOT_WATCHED}, as in {@code TopologyTestDriver}) judges idleness by the wall clock alone.
 */
@FunctionalInterface
public interface IntakeBacklog {

    /** The answer of {@link #waiting(int)} when the backlog is not known (not watched, or the last look is stale). */
    long UNKNOWN = -1;

    /** No backlog is watched: an intake task that accepted nothing for a whole interval counts as idle. */
    IntakeBacklog NOT_WATCHED = partition -> UNKNOWN;

    /**
     * @param partition an {@code orders} partition
     * @return the records (and transaction markers) of that partition its intake task has not read yet, 0 when it
     *         has read all the partition holds, or {@link #UNKNOWN}
     */
    long waiting(int partition);

    /**
     * A mark of the present moment, for {@link #lookedSince}: a look begun after this call has a greater mark.
     * Without looks of its own (as here) every answer counts as current.
     */
    default long mark() {
        return 0;
    }

    /**
     * Whether {@link #waiting} now answers from a look that began after {@code mark} was taken, so that it counts
     * every record written to the partitions before then; also true while the backlog is not known (then the wall
     * clock alone decides, as with {@link #UNKNOWN}).
     */
    default boolean lookedSince(long mark) {
        return true;
    }

    /**
     * The last stable offset of partition {@code partition} of the repartition topic the aggregating tasks read, as
     * of the current look; {@link #UNKNOWN} when not known (not watched, or its offsets could not be looked up).
     * An intake task that read its orders and committed before a look has sent their sales and its watermark (no
     * longer idle) there, below this offset: until the aggregating task has read that far ({@link
     * #repartitionRead}), a look that finds nothing waiting for the intake does not mean its partition is idle.
     */
    default long repartitionEnd(int partition) {
        return UNKNOWN;
    }

    /**
     * How far the application's group has read partition {@code partition} of the repartition topic (its committed
     * offset, or the log start before a commit) as of the current look; {@link #UNKNOWN} when not known.
     */
    default long repartitionRead(int partition) {
        return UNKNOWN;
    }
}
