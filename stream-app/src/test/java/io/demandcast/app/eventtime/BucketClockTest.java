package io.demandcast.app.eventtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BucketClockTest {

    private static final Duration GRACE = Duration.ofHours(1);

    private static long at(String time) {
        return Instant.parse(time).toEpochMilli();
    }

    /** What {@link UpstreamClock} answers while no origin is idle and the wall clock is far ahead. */
    private static long horizon(BucketClock clock) {
        return clock.slowestOrigin() - GRACE.toMillis();
    }

    @Test
    void theClockWithItsPositionsAndIdleOriginsSurvivesARestartFromItsStore() {
        BucketClock clock = new BucketClock(Bucket.DAY, 2);
        clock.observeSale(0, at("2011-01-03T10:00:00Z"));
        clock.observeWatermark(0, at("2011-01-04T03:00:00Z"), false);
        clock.observeWatermark(1, at("2011-01-04T02:00:00Z"), false);
        assertThat(clock.slowestOrigin()).isEqualTo(at("2011-01-04T02:00:00Z"));
        clock.closed(clock.closable(horizon(clock)));
        clock.observeWatermark(1, BucketClock.UNSET, true);

        BucketClock back = BucketClock.restore(Bucket.DAY, 2, clock.toBytes());

        assertThat(back.nextToClose()).isEqualTo(at("2011-01-04T00:00:00Z"));
        assertThat(back.isLate(at("2011-01-03T23:00:00Z"))).isTrue();
        assertThat(back.position(0)).isEqualTo(at("2011-01-04T03:00:00Z"));
        assertThat(back.position(1)).isEqualTo(at("2011-01-04T02:00:00Z"));
        assertThat(back.isIdle(1)).isTrue();
        assertThat(back.slowestOrigin()).as("idle origin 1 is not waited for").isEqualTo(at("2011-01-04T03:00:00Z"));
    }

    @Test
    void aClockStoredBeforePerOriginPositionsResumesWithoutClosingMoreOrTakingBackAClose() {
        byte[] legacy = ByteBuffer.allocate(16).putLong(at("2011-01-05T00:30:00Z"))
                .putLong(at("2011-01-04T00:00:00Z")).array();

        BucketClock back = BucketClock.restore(Bucket.DAY, 3, legacy);

        assertThat(back.origins()).isEqualTo(3);
        assertThat(back.isLate(at("2011-01-03T12:00:00Z"))).isTrue();
        assertThat(back.isLate(at("2011-01-04T12:00:00Z"))).isFalse();
        assertThat(back.closable(horizon(back))).as("day 2 is in its grace").isEqualTo(BucketClock.UNSET);
        back.observeWatermark(0, at("2011-01-05T01:00:00Z"), false);
        back.observeWatermark(1, at("2011-01-05T01:00:00Z"), false);
        assertThat(back.closable(horizon(back))).as("origin 2 is still at the old stream time")
                .isEqualTo(BucketClock.UNSET);
        back.observeWatermark(2, at("2011-01-05T01:00:00Z"), false);
        assertThat(back.closable(horizon(back))).isEqualTo(at("2011-01-04T00:00:00Z"));
    }

    @Test
    void beforeTheFirstCloseAnEarlierSaleMovesTheFirstBucketBackAndIsNotLate() {
        BucketClock clock = new BucketClock(Bucket.DAY, 2);
        clock.observeSale(0, at("2011-01-06T10:00:00Z"));
        assertThat(clock.isLate(at("2011-01-03T10:00:00Z"))).isFalse();
        clock.observeSale(1, at("2011-01-03T10:00:00Z"));
        assertThat(clock.nextToClose()).isEqualTo(at("2011-01-03T00:00:00Z"));
    }

    @Test
    void anOriginBeyondTheConfiguredCountIsWaitedForOnceItAppears() {
        BucketClock clock = new BucketClock(Bucket.DAY, 1);
        clock.observeSale(0, at("2011-01-06T10:00:00Z"));
        clock.observeSale(2, at("2011-01-03T10:00:00Z"));
        assertThat(clock.origins()).isEqualTo(3);
        assertThat(clock.slowestOrigin()).as("origin 1 has not been heard of").isEqualTo(BucketClock.UNSET);
    }
}
