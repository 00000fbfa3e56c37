package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WallClockCloseTest {

    @TempDir
    Path state;

    @Test
    void aQuietPartitionClosesItsBucketOnceTheWallClockHasMovedPastItsEndPlusGrace() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "grace", "PT1H",
                "wallclock.close.interval", "PT1M"), ModelHandle.none())) {
            // Two orders that agree start the partition's stream time at once (FirstOrdersTest).
            p.sale("A", "2011-01-03T09:59:00Z", 1);
            p.sale("A", "2011-01-03T10:00:00Z", 3);

            // Event time moves on with the wall clock from the last record: 10:00 + 14 h is before 01:00 next day.
            p.advanceWallClock(Duration.ofHours(14));
            assertThat(p.actuals()).isEmpty();

            p.advanceWallClock(Duration.ofHours(1).plusMinutes(2));
            List<SalesBucket> closed = p.actuals();
            assertThat(closed).singleElement().satisfies(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-03T00:00:00Z"));
                assertThat(b.getUnits()).isEqualTo(4.0);
            });
            assertThat(p.forecasts()).hasSize(1);

            p.advanceWallClock(Duration.ofHours(24));
            assertThat(p.actuals()).singleElement().satisfies(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-04T00:00:00Z"));
                assertThat(b.getZeroFilled()).isTrue();
            });

            // A record in the bucket the wall clock closed is late, not merged.
            p.sale("A", "2011-01-04T20:00:00Z", 1);
            assertThat(p.deadLetters()).singleElement().satisfies(kv ->
                    assertThat(kv.value.getReason()).isEqualTo("late"));
            assertThat(p.actuals()).isEmpty();
        }
    }

    @Test
    void theWallClockDoesNotCloseBucketsWhileRecordsKeepComing() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "wallclock.close.interval", "PT1M"),
                ModelHandle.none())) {
            // A replay: ten wall-clock hours pass, but records arrive all the time and their event time stays in day 1.
            for (int i = 0; i < 600; i++) {
                p.sale("A", Instant.parse("2011-01-03T08:00:00Z").plusSeconds(i * 10L).toString(), 1);
                p.advanceWallClock(Duration.ofMinutes(1));
            }
            assertThat(p.actuals()).isEmpty();
            assertThat(p.deadLetters()).isEmpty();
        }
    }
}
