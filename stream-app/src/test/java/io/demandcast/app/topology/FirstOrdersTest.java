package io.demandcast.app.topology;

import static io.demandcast.app.topology.PipelineDriver.line;
import static io.demandcast.app.topology.PipelineDriver.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.ingest.OriginWatermark;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition's stream time starts from its first orders together, not from its first one alone, and no bucket
 * closes before the wall clock has passed it, whatever an order's event time claims.
 */
class FirstOrdersTest {

    @TempDir
    Path state;

    private PipelineDriver pipeline() {
        return new PipelineDriver(PipelineDriver.config(state, "grace", "PT1H", "wallclock.close.interval", "PT1M"),
                ModelHandle.none());
    }

    @Test
    void aFirstOrderStampedYearsAheadOfTheBacklogBehindItIsABadTimeAndMovesNoClock() {
        try (PipelineDriver p = pipeline()) {
            // A replay of 2011 whose first record claims the day before the wall clock (2026-01-01).
            p.send(order("today", Instant.parse("2025-12-31T12:00:00Z"), OrderType.SALE, line("A", 5, 1)));
            for (int day = 3; day <= 10; day++) {
                p.sale("A", "2011-01-%02dT10:00:00Z".formatted(day), 1);
            }
            List<KeyValue<byte[], DeadLetter>> letters = p.deadLetters();
            assertThat(letters).singleElement().satisfies(kv -> {
                assertThat(kv.value.getReason()).isEqualTo(Rejection.BAD_TIME);
                assertThat(kv.value.getDetail()).contains("order today").contains("stream time");
            });
            assertThat(p.actuals()).extracting(SalesBucket::getBucketStart, SalesBucket::getUnits)
                    .containsExactly(
                            tuple(Instant.parse("2011-01-03T00:00:00Z"), 1.0),
                            tuple(Instant.parse("2011-01-04T00:00:00Z"), 1.0),
                            tuple(Instant.parse("2011-01-05T00:00:00Z"), 1.0),
                            tuple(Instant.parse("2011-01-06T00:00:00Z"), 1.0),
                            tuple(Instant.parse("2011-01-07T00:00:00Z"), 1.0),
                            tuple(Instant.parse("2011-01-08T00:00:00Z"), 1.0),
                            tuple(Instant.parse("2011-01-09T00:00:00Z"), 1.0));
        }
    }

    @Test
    void aLoneFirstOrderIsCountedAtTheNextWallClockPunctuation() {
        try (PipelineDriver p = pipeline()) {
            var out = p.salesBySeriesOut();
            p.sale("A", "2011-01-03T10:00:00Z", 2);
            assertThat(out.readValuesToList()).isEmpty();

            p.advanceWallClock(Duration.ofMinutes(1));
            List<Object> passed = List.copyOf(out.readValuesToList());
            assertThat(passed).filteredOn(e -> e instanceof SeriesSale).singleElement()
                    .satisfies(e -> assertThat(((SeriesSale) e).units()).isEqualTo(2.0));
            assertThat(passed).filteredOn(e -> e instanceof OriginWatermark).first()
                    .isEqualTo(new OriginWatermark(0, Instant.parse("2011-01-03T10:00:00Z").toEpochMilli(), false));
        }
    }

    @Test
    void anOrderAheadOfTheWallClockWaitsInItsBucketUntilTheWallClockHasPassedIt() {
        try (PipelineDriver p = pipeline()) {
            Instant wall = PipelineDriver.WALL_CLOCK;
            var out = p.salesBySeriesOut();
            p.sale("A", "2025-12-30T10:00:00Z", 1);
            p.sale("A", "2025-12-30T11:00:00Z", 1);
            // Two days ahead of the wall clock: within max.future.skew, so counted, but its day has not come.
            p.sale("A", "2026-01-03T10:00:00Z", 1);

            assertThat(p.deadLetters()).isEmpty();
            // Only the day that ended (plus grace) by the wall clock closed, not the days up to the order's.
            assertThat(p.actuals()).extracting(SalesBucket::getBucketStart, SalesBucket::getUnits)
                    .containsExactly(tuple(Instant.parse("2025-12-30T00:00:00Z"), 2.0));
            // No record goes to the broker stamped beyond what it accepts (an hour ahead by default).
            assertThat(out.readRecordsToList()).extracting(TestRecord::getRecordTime)
                    .allSatisfy(t -> assertThat(t).isBeforeOrEqualTo(wall.plus(Duration.ofMinutes(30))));

            p.advanceWallClock(Duration.ofDays(4));
            p.advanceWallClock(Duration.ofMinutes(1));
            Instant now = wall.plus(Duration.ofDays(4)).plus(Duration.ofMinutes(1));
            List<SalesBucket> later = p.actuals();
            assertThat(later).allSatisfy(b -> assertThat(b.getBucketEnd()).isBefore(now));
            assertThat(later).extracting(SalesBucket::getBucketStart, SalesBucket::getUnits).containsExactly(
                    tuple(Instant.parse("2025-12-31T00:00:00Z"), 0.0),
                    tuple(Instant.parse("2026-01-01T00:00:00Z"), 0.0),
                    tuple(Instant.parse("2026-01-02T00:00:00Z"), 0.0),
                    tuple(Instant.parse("2026-01-03T00:00:00Z"), 1.0));
        }
    }
}
