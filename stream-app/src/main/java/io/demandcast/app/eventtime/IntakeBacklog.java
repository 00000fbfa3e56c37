package io.demandcast.app.eventtime;

/**
 * How many records of an {@code orders} partition its intake task has still to read, as last seen. An intake task
 * counts as idle only when it accepted no order for a whole {@code wallclock.close.interval} AND this says nothing
 * is waiting: a task that a busy stream thread or a loaded machine left without a turn for that long still has its
 * partition's records ahead of it, and the aggregating tasks must keep waiting for them (otherwise the other
 * partitions' event time closes the buckets those records belong to, and they come out {@code late}).
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
}
