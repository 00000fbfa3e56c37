package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.eventtime.IntakeBacklog;
import io.demandcast.app.ingest.Origin;
import io.demandcast.app.ingest.OriginWatermark;
import io.demandcast.app.ingest.SalesEvent;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An intake task is idle only when its partition holds nothing more for it, not when it got no turn: the stream
 * thread (a long forecast cycle of another task) or a loaded machine can leave a task with records waiting without
 * a single one processed for a whole {@code wallclock.close.interval}. The driver's own intake is origin 0, the
 * delayed one; the test feeds the repartition topic with what the intake task of origin 1 would write, and sets what
 * the broker would report as origin 0's backlog.
 */
class IdleByBacklogTest {

    private static final Duration INTERVAL = Duration.ofMinutes(1);

    @TempDir
    Path state;

    /** The backlog per orders partition, as the app's broker look-ups would report it. */
    private final AtomicLongArray waiting = new AtomicLongArray(2);
    private final IntakeBacklog backlog = waiting::get;

    private PipelineDriver pipeline(int orderPartitions) {
        return new PipelineDriver(PipelineDriver.config(state, "grace", "PT1H", "wallclock.close.interval", "PT1M"),
                orderPartitions, ModelHandle.none(), backlog);
    }

    private static long at(String time) {
        return Instant.parse(time).toEpochMilli();
    }

    private static void otherPartitionSells(TestInputTopic<String, SalesEvent> in, String series, String time) {
        OriginWatermark w = new OriginWatermark(1, at(time), false);
        in.pipeInput(w.key(), w);
        in.pipeInput(series, new SeriesSale(series, at(time), 1, 1, 1, 1,
                new Origin("orders", 1, 0L, "o-" + series + "-" + time)));
    }

    @Test
    void aPartitionWithRecordsWaitingIsNotIdleAfterAnIntervalWithoutATurnAndItsSalesAreNotLate() {
        try (PipelineDriver p = pipeline(2)) {
            var in = p.salesBySeriesIn();
            p.sale("A", "2011-01-03T10:00:00Z", 5);
            // Origin 0's task gets no turn for three intervals while its partition still holds orders.
            waiting.set(0, 40);
            for (int i = 0; i < 3; i++) {
                p.advanceWallClock(INTERVAL);
            }
            otherPartitionSells(in, "B", "2011-01-04T05:00:00Z");
            assertThat(p.actuals()).as("day 1 waits for origin 0, which has orders to read").isEmpty();

            // Its turn comes: the delayed sale of day 1 is in time, and its next order closes day 1.
            p.sale("A", "2011-01-03T20:00:00Z", 2);
            waiting.set(0, 0);
            p.sale("A", "2011-01-04T03:00:00Z", 1);
            assertThat(p.deadLetters()).as("no sale of the delayed partition is late").isEmpty();
            assertThat(p.actuals())
                    .extracting(SalesBucket::getSeries, SalesBucket::getBucketStart, SalesBucket::getUnits)
                    .containsExactly(tuple("A", Instant.parse("2011-01-03T00:00:00Z"), 7.0));
        }
    }

    @Test
    void aPartitionWithNothingWaitingIsIdleAfterAnIntervalAndTheOtherClosesItsBuckets() {
        try (PipelineDriver p = pipeline(2)) {
            var in = p.salesBySeriesIn();
            p.sale("A", "2011-01-03T10:00:00Z", 5);
            // The interval of the sale, then one without an order.
            p.advanceWallClock(INTERVAL);
            p.advanceWallClock(INTERVAL);
            otherPartitionSells(in, "B", "2011-01-04T05:00:00Z");
            assertThat(p.actuals()).as("origin 1 alone counts")
                    .extracting(SalesBucket::getSeries, SalesBucket::getBucketStart, SalesBucket::getUnits)
                    .containsExactly(tuple("A", Instant.parse("2011-01-03T00:00:00Z"), 5.0));
        }
    }

    @Test
    void aQuietSinglePartitionIsClosedByTheWallClockOnlyOnceNothingWaits() {
        try (PipelineDriver p = pipeline(1)) {
            p.sale("A", "2011-01-03T10:00:00Z", 4);
            waiting.set(0, 1);
            p.advanceWallClock(INTERVAL);
            p.advanceWallClock(Duration.ofHours(16));
            assertThat(p.actuals()).as("a record still waits: event time does not move with the wall clock")
                    .isEmpty();

            // Found idle at the next interval: event time has moved on with the wall clock since the last order.
            waiting.set(0, 0);
            p.advanceWallClock(INTERVAL);
            assertThat(p.actuals()).singleElement().satisfies(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-03T00:00:00Z"));
                assertThat(b.getUnits()).isEqualTo(4.0);
            });
        }
    }

    @Test
    void anIdlePartitionThatGetsRecordsSaysItIsNoLongerIdleAtTheNextInterval() {
        try (PipelineDriver p = pipeline(1)) {
            var out = p.salesBySeriesOut();
            p.sale("A", "2011-01-03T10:00:00Z", 1);
            p.advanceWallClock(INTERVAL);
            p.advanceWallClock(INTERVAL);
            assertThat(out.readValuesToList()).filteredOn(e -> e instanceof OriginWatermark).containsExactly(
                    new OriginWatermark(0, at("2011-01-03T10:00:00Z"), false),
                    new OriginWatermark(0, at("2011-01-03T10:00:00Z"), true));

            waiting.set(0, 3);
            p.advanceWallClock(INTERVAL);
            assertThat(out.readValuesToList()).containsExactly(
                    new OriginWatermark(0, at("2011-01-03T10:00:00Z"), false));
            p.advanceWallClock(INTERVAL);
            assertThat(out.readValuesToList()).as("said once").isEmpty();
        }
    }

    @Test
    void anIdlePartitionWithRecordsWaitingIsWaitedForWhileItsIntakeTaskIsNotRunning() {
        try (PipelineDriver p = pipeline(2)) {
            var in = p.salesBySeriesIn();
            // Origin 1 sold on day 1 and said it is idle; then its instance died, taking its intake task along.
            otherPartitionSells(in, "B", "2011-01-03T09:00:00Z");
            OriginWatermark idle = new OriginWatermark(1, at("2011-01-03T09:00:00Z"), true);
            in.pipeInput(idle.key(), idle);
            // Orders reach partition 1 and no task reads them, while origin 0 goes on to day 3.
            waiting.set(1, 25);
            p.sale("A", "2011-01-03T10:00:00Z", 1);
            p.sale("A", "2011-01-05T10:00:00Z", 1);
            assertThat(p.actuals()).as("day 1 waits for the records of partition 1").isEmpty();

            // Another instance takes the task over and reads them: its sale of day 1 is in time.
            otherPartitionSells(in, "B", "2011-01-03T18:00:00Z");
            waiting.set(1, 0);
            otherPartitionSells(in, "B", "2011-01-05T12:00:00Z");
            assertThat(p.deadLetters()).as("no sale of the taken-over partition is late").isEmpty();
            assertThat(p.actuals()).filteredOn(b -> b.getBucketStart().equals(Instant.parse("2011-01-03T00:00:00Z")))
                    .extracting(SalesBucket::getSeries, SalesBucket::getUnits)
                    .containsExactlyInAnyOrder(tuple("A", 1.0), tuple("B", 2.0));
        }
    }
}
