package io.demandcast.app.eventtime;

/**
 * The one question an aggregating task asks the event-time protocol: up to which event time may buckets close now?
 * A bucket may close once its end is at or before the answer; grace, the slowest upstream partition, idle partitions,
 * their backlog and the wall clock are already in it (see the package page).
 */
@FunctionalInterface
public interface CloseHorizon {

    /** The answer while no bucket may close: an upstream partition that is waited for has not been heard of yet. */
    long NONE = Long.MIN_VALUE;

    /**
     * @param now the wall-clock time of the question (of the record that arrived, or of the punctuation)
     * @return the event time up to which buckets may close, or {@link #NONE}
     */
    long closableUpTo(long now);
}
