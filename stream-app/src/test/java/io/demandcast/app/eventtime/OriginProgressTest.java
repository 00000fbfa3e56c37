package io.demandcast.app.eventtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When the intake task of one {@code orders} partition sends a watermark: daily buckets, one hour of grace. */
class OriginProgressTest {

    private static final OriginProgress.Cadence CADENCE = new OriginProgress.Cadence(Bucket.DAY,
            Duration.ofHours(1), Duration.ofSeconds(5));

    private long waiting = IntakeBacklog.UNKNOWN;
    private final OriginProgress progress = new OriginProgress(0, CADENCE, partition -> waiting);

    private static long at(String time) {
        return Instant.parse(time).toEpochMilli();
    }

    @Test
    void theFirstOrderAfterAStartIsAnnounced() {
        assertThat(progress.accepted(at("2011-01-03T10:00:00Z"), at("2011-01-03T10:00:00Z"))).isTrue();
        assertThat(progress.idle()).isFalse();
    }

    @Test
    void aWatermarkGoesOutWhenThePositionPassesAClosePointOnly() {
        progress.accepted(BucketClock.UNSET, at("2011-01-03T10:00:00Z"));
        assertThat(progress.accepted(at("2011-01-03T10:00:00Z"), at("2011-01-04T00:30:00Z")))
                .as("day 1 is still in its grace").isFalse();
        assertThat(progress.accepted(at("2011-01-04T00:30:00Z"), at("2011-01-04T01:00:00Z")))
                .as("day 1's end plus grace").isTrue();
    }

    @Test
    void aTaskWithoutOrdersForAnIntervalAndNothingWaitingGoesIdleOnce() {
        progress.accepted(BucketClock.UNSET, at("2011-01-03T10:00:00Z"));
        assertThat(progress.onWallClock(at("2011-01-03T10:00:00Z"))).as("it accepted an order since").isFalse();
        waiting = 0;
        assertThat(progress.onWallClock(at("2011-01-03T10:00:00Z"))).isTrue();
        assertThat(progress.idle()).isTrue();
        assertThat(progress.onWallClock(at("2011-01-03T10:00:00Z"))).as("said once").isFalse();
    }

    @Test
    void anUnknownBacklogLeavesTheWallClockToDecide() {
        progress.accepted(BucketClock.UNSET, at("2011-01-03T10:00:00Z"));
        progress.onWallClock(at("2011-01-03T10:00:00Z"));
        assertThat(progress.onWallClock(at("2011-01-03T10:00:00Z"))).isTrue();
        assertThat(progress.idle()).isTrue();
    }

    @Test
    void aTaskWithRecordsWaitingIsNotIdleHoweverLongItGotNoTurn() {
        waiting = 12;
        progress.accepted(BucketClock.UNSET, at("2011-01-03T10:00:00Z"));
        progress.onWallClock(at("2011-01-03T10:00:00Z"));
        assertThat(progress.onWallClock(at("2011-01-03T10:00:00Z"))).isFalse();
        assertThat(progress.onWallClock(at("2011-01-03T10:00:00Z"))).isFalse();
        assertThat(progress.idle()).isFalse();
    }

    @Test
    void anIdleTaskIsWaitedForAgainOnceRecordsWaitOrItAcceptsAnOrder() {
        waiting = 0;
        progress.onWallClock(BucketClock.UNSET);
        assertThat(progress.idle()).as("a partition that never had an order").isTrue();
        waiting = 3;
        assertThat(progress.onWallClock(BucketClock.UNSET)).as("records wait before its turn").isTrue();
        assertThat(progress.idle()).isFalse();

        waiting = 0;
        progress.onWallClock(BucketClock.UNSET);
        assertThat(progress.idle()).isTrue();
        assertThat(progress.accepted(BucketClock.UNSET, at("2011-01-03T10:00:00Z"))).isTrue();
        assertThat(progress.idle()).isFalse();
    }
}
