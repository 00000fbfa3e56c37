package io.demandcast.app.eventtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The question an aggregating task asks ({@link CloseHorizon#closableUpTo}), answered from what it heard of two
 * {@code orders} partitions, with no broker and no topology: daily buckets, one hour of grace.
 */
class UpstreamClockTest {

    private static final Duration GRACE = Duration.ofHours(1);
    private static final long HOUR = GRACE.toMillis();

    /** The task's wall clock: far ahead of the event times unless a test says otherwise. */
    private long wallClock = at("2030-01-01T00:00:00Z");
    private final Map<Integer, Long> waiting = new HashMap<>();
    private final UpstreamClock upstream = new UpstreamClock(new BucketClock(Bucket.DAY, 2), 0, GRACE,
            partition -> waiting.getOrDefault(partition, IntakeBacklog.UNKNOWN), () -> wallClock);

    private static long at(String time) {
        return Instant.parse(time).toEpochMilli();
    }

    private long horizon() {
        return upstream.closableUpTo(wallClock);
    }

    private boolean mayClose(String bucketStart) {
        BucketClock clock = upstream.clock();
        return horizon() >= clock.next(at(bucketStart));
    }

    @Test
    void nothingMayCloseBeforeEveryPartitionWasHeardOf() {
        upstream.observeSale(0, at("2011-01-05T12:00:00Z"));
        assertThat(horizon()).as("partition 1 may be starting").isEqualTo(CloseHorizon.NONE);
    }

    @Test
    void whenAllPartitionsAdvancedPastABucketItMayClose() {
        upstream.observeSale(0, at("2011-01-03T10:00:00Z"));
        upstream.observeWatermark(0, at("2011-01-04T02:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-04T03:00:00Z"), false, wallClock);

        assertThat(horizon()).as("the slowest position less grace").isEqualTo(at("2011-01-04T01:00:00Z"));
        assertThat(mayClose("2011-01-03T00:00:00Z")).isTrue();
        assertThat(upstream.clock().closable(horizon())).isEqualTo(at("2011-01-03T00:00:00Z"));
    }

    @Test
    void aPartitionBehindAndActiveHoldsTheCloseBack() {
        upstream.observeWatermark(0, at("2011-01-06T12:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-03T18:00:00Z"), false, wallClock);

        assertThat(horizon()).isEqualTo(at("2011-01-03T17:00:00Z"));
        assertThat(mayClose("2011-01-03T00:00:00Z")).as("partition 1 is still in that day").isFalse();
    }

    @Test
    void anIdlePartitionDoesNotHoldTheCloseBack() {
        upstream.observeWatermark(0, at("2011-01-06T12:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-03T18:00:00Z"), true, wallClock);

        assertThat(horizon()).isEqualTo(at("2011-01-06T11:00:00Z"));
        assertThat(mayClose("2011-01-05T00:00:00Z")).isTrue();
    }

    @Test
    void anIdlePartitionThatNeverSentAnOrderDoesNotHoldTheCloseBack() {
        upstream.observeWatermark(0, at("2011-01-06T12:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, BucketClock.UNSET, true, wallClock);

        assertThat(horizon()).isEqualTo(at("2011-01-06T11:00:00Z"));
    }

    @Test
    void anIdlePartitionWithRecordsWaitingOnTheBrokerIsWaitedForAgain() {
        upstream.observeWatermark(0, at("2011-01-06T12:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-03T18:00:00Z"), true, wallClock);
        waiting.put(1, 40L);

        assertThat(horizon()).as("its intake task may not be running to say so")
                .isEqualTo(at("2011-01-03T17:00:00Z"));
        waiting.put(1, 0L);
        assertThat(horizon()).isEqualTo(at("2011-01-06T11:00:00Z"));
    }

    @Test
    void graceKeepsABucketOpenAfterItsEnd() {
        upstream.observeWatermark(0, at("2011-01-04T00:59:59Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-04T00:59:59Z"), false, wallClock);
        assertThat(mayClose("2011-01-03T00:00:00Z")).as("within grace of its end").isFalse();

        upstream.observeWatermark(0, at("2011-01-04T01:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-04T01:00:00Z"), false, wallClock);
        assertThat(mayClose("2011-01-03T00:00:00Z")).as("its end plus grace reached").isTrue();
        assertThat(mayClose("2011-01-04T00:00:00Z")).isFalse();
    }

    @Test
    void noBucketClosesBeforeTheWallClockHasPassedItsEndPlusGrace() {
        wallClock = at("2011-01-04T00:30:00Z");
        upstream.observeWatermark(0, at("2011-01-05T12:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-05T12:00:00Z"), false, wallClock);

        assertThat(horizon()).as("orders stamped ahead of the wall clock").isEqualTo(wallClock - HOUR);
        assertThat(mayClose("2011-01-03T00:00:00Z")).isFalse();
        wallClock = at("2011-01-04T01:00:00Z");
        assertThat(mayClose("2011-01-03T00:00:00Z")).isTrue();
    }

    @Test
    void whenEveryPartitionIsIdleEventTimeMovesOnWithTheWallClock() {
        wallClock = at("2011-01-03T18:00:00Z");
        upstream.observeWatermark(0, at("2011-01-03T18:00:00Z"), false, wallClock);
        upstream.observeWatermark(1, at("2011-01-03T17:00:00Z"), false, wallClock);
        upstream.observeWatermark(0, at("2011-01-03T18:00:00Z"), true, wallClock + 1_000);
        upstream.observeWatermark(1, at("2011-01-03T17:00:00Z"), true, wallClock + 2_000);
        assertThat(horizon()).as("from the latest position, as of the last word of a partition not idle")
                .isEqualTo(at("2011-01-03T17:00:00Z"));

        wallClock += 7 * HOUR;
        assertThat(horizon()).isEqualTo(at("2011-01-04T00:00:00Z"));
        assertThat(mayClose("2011-01-03T00:00:00Z")).as("a quiet stream still closes its buckets").isTrue();
    }

    @Test
    void aSaleCountsAsWordFromUpstreamWhenEveryPartitionIsIdle() {
        wallClock = at("2011-01-03T18:00:00Z");
        upstream.observeWatermark(0, at("2011-01-03T18:00:00Z"), false, wallClock);
        upstream.observeWatermark(0, at("2011-01-03T18:00:00Z"), true, wallClock);
        upstream.observeWatermark(1, at("2011-01-03T18:00:00Z"), true, wallClock);
        wallClock += 3 * HOUR;
        assertThat(horizon()).isEqualTo(at("2011-01-03T20:00:00Z"));

        upstream.heard(wallClock);
        assertThat(horizon()).as("quiet since the sale, not since the last watermark")
                .isEqualTo(at("2011-01-03T17:00:00Z"));
    }

    /**
     * A backlog as the broker's look-ups give it: each look counts what was written before it began, on the orders
     * partitions and on the task's repartition partition ({@code written}, of which the task read {@code read}).
     */
    private static final class Looks implements IntakeBacklog {
        long[] seen = {0, 0};
        long begun;
        long answered;
        long written;
        long read;
        long seenWritten;
        long seenRead;

        /** A look begins now and answers with what each partition holds for its task. */
        void look(long... waiting) {
            begun++;
            seen = waiting;
            answered = begun;
            seenWritten = written;
            seenRead = read;
        }

        /** The task's partition of the repartition topic; the other one holds nothing. */
        static final int TASK_PARTITION = 1;

        @Override
        public long repartitionEnd(int partition) {
            return partition == TASK_PARTITION ? seenWritten : 0;
        }

        @Override
        public long repartitionRead(int partition) {
            return partition == TASK_PARTITION ? seenRead : 0;
        }

        @Override
        public long waiting(int partition) {
            return seen[partition];
        }

        @Override
        public long mark() {
            return begun;
        }

        @Override
        public boolean lookedSince(long mark) {
            return answered > mark;
        }
    }

    /**
     * Partition 1 idle since 2011-01-03 and seen with nothing waiting; then partition 0 moves on three days. The last
     * look began before those sales, so it cannot tell whether orders of the same days were written to partition 1.
     */
    private UpstreamClock idlePartitionPassedAfterTheLastLook(Looks looks) {
        UpstreamClock watched = new UpstreamClock(new BucketClock(Bucket.DAY, 2), Looks.TASK_PARTITION, GRACE, looks,
                () -> wallClock);
        watched.observeWatermark(0, at("2011-01-03T12:00:00Z"), false, wallClock);
        watched.observeWatermark(1, at("2011-01-03T10:00:00Z"), true, wallClock);
        looks.look(0, 0);
        watched.observeSale(0, at("2011-01-06T12:00:00Z"));
        assertThat(watched.closableUpTo(wallClock)).as("what both partitions passed")
                .isEqualTo(at("2011-01-03T09:00:00Z"));
        return watched;
    }

    @Test
    void passingAnIdlePartitionTakesALookBegunAfterTheHorizonGotThere() {
        Looks looks = new Looks();
        UpstreamClock watched = idlePartitionPassedAfterTheLastLook(looks);
        // The next look finds orders waiting on partition 1: it is waited for, and the days stay open.
        looks.look(0, 25);
        assertThat(watched.closableUpTo(wallClock)).isEqualTo(at("2011-01-03T09:00:00Z"));
    }

    @Test
    void aLookBegunAfterTheHorizonGotThereThatFindsNothingWaitingLetsTheIdlePartitionBePassed() {
        Looks looks = new Looks();
        UpstreamClock watched = idlePartitionPassedAfterTheLastLook(looks);
        looks.look(0, 0);
        assertThat(watched.closableUpTo(wallClock)).isEqualTo(at("2011-01-06T11:00:00Z"));
        // Further sales wait for a look again, but what was cleared stays cleared.
        watched.observeSale(0, at("2011-01-09T12:00:00Z"));
        assertThat(watched.closableUpTo(wallClock)).isEqualTo(at("2011-01-06T11:00:00Z"));
        looks.look(0, 0);
        assertThat(watched.closableUpTo(wallClock)).isEqualTo(at("2011-01-09T11:00:00Z"));
    }

    @Test
    void anIdlePartitionIsNotPassedBeforeTheTaskReadWhatItsIntakeSentBeforeTheLook() {
        Looks looks = new Looks();
        UpstreamClock watched = idlePartitionPassedAfterTheLastLook(looks);
        // Partition 1's intake read new orders and committed before the look (nothing waits for it), but their sales
        // and its watermark, no longer idle, are still on this task's repartition partition.
        looks.written = 40;
        looks.read = 25;
        looks.look(0, 0);
        assertThat(watched.closableUpTo(wallClock)).as("what both partitions passed")
                .isEqualTo(at("2011-01-03T09:00:00Z"));
        looks.read = 39;
        looks.look(0, 0);
        assertThat(watched.closableUpTo(wallClock)).isEqualTo(at("2011-01-03T09:00:00Z"));
        // Read up to that look's end; had partition 1 sent orders, its watermark would now hold the horizon.
        looks.read = 40;
        looks.written = 52;
        looks.look(0, 0);
        assertThat(watched.closableUpTo(wallClock)).isEqualTo(at("2011-01-06T11:00:00Z"));
    }
}
