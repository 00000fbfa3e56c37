package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.ingest.Origin;
import io.demandcast.app.ingest.OriginWatermark;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.ingest.SalesEvent;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator's close rule with several {@code orders} partitions: records of all intake tasks reach it
 * interleaved, one task far ahead of another, as in a fast replay. The driver's own intake is origin 0; the test
 * feeds the repartition topic directly with what the intake tasks of origins 0 and 1 would write.
 */
class UpstreamWatermarkTest {

    @TempDir
    Path state;

    private PipelineDriver pipeline(int orderPartitions) {
        return new PipelineDriver(PipelineDriver.config(state, "grace", "PT1H"), orderPartitions, ModelHandle.none());
    }

    private static long at(String time) {
        return Instant.parse(time).toEpochMilli();
    }

    private static void sale(TestInputTopic<String, SalesEvent> in, int origin, String series, String time,
                             double units) {
        SeriesSale s = new SeriesSale(series, at(time), units, units, units, units,
                new Origin("orders", origin, 0L, "o-" + series + "-" + time));
        in.pipeInput(series, s);
    }

    private static void watermark(TestInputTopic<String, SalesEvent> in, int origin, String time) {
        OriginWatermark w = new OriginWatermark(origin, at(time), false);
        in.pipeInput(w.key(), w);
    }

    private static void idle(TestInputTopic<String, SalesEvent> in, int origin) {
        OriginWatermark w = new OriginWatermark(origin, OriginWatermark.NO_POSITION, true);
        in.pipeInput(w.key(), w);
    }

    @Test
    void aBucketWaitsForTheSlowestOrdersPartitionAndItsInTimeSalesAreNotLate() {
        try (PipelineDriver p = pipeline(2)) {
            var in = p.salesBySeriesIn();
            sale(in, 0, "A", "2011-01-03T10:00:00Z", 5);
            sale(in, 0, "A", "2011-01-06T10:00:00Z", 1);
            assertThat(p.actuals()).as("origin 1 has sent nothing yet").isEmpty();

            watermark(in, 1, "2011-01-03T09:00:00Z");
            sale(in, 1, "B", "2011-01-03T20:00:00Z", 2);
            sale(in, 1, "A", "2011-01-04T00:30:00Z", 3);
            assertThat(p.actuals()).as("origin 1 is within the grace of day 1").isEmpty();

            watermark(in, 1, "2011-01-04T01:00:00Z");
            assertThat(p.actuals())
                    .extracting(SalesBucket::getSeries, SalesBucket::getBucketStart, SalesBucket::getUnits)
                    .containsExactlyInAnyOrder(
                            tuple("A", Instant.parse("2011-01-03T00:00:00Z"), 5.0),
                            tuple("B", Instant.parse("2011-01-03T00:00:00Z"), 2.0));
            assertThat(p.deadLetters()).as("no sale of the slower origin is late").isEmpty();
            assertThat(p.forecasts()).hasSize(2);

            // Day 2 waits for origin 1 again, however far origin 0 is.
            sale(in, 0, "A", "2011-01-09T10:00:00Z", 1);
            assertThat(p.actuals()).isEmpty();
            sale(in, 1, "A", "2011-01-05T02:00:00Z", 1);
            assertThat(p.actuals())
                    .extracting(SalesBucket::getSeries, SalesBucket::getBucketStart, SalesBucket::getUnits)
                    .containsExactlyInAnyOrder(
                            tuple("A", Instant.parse("2011-01-04T00:00:00Z"), 3.0),
                            tuple("B", Instant.parse("2011-01-04T00:00:00Z"), 0.0));
        }
    }

    @Test
    void aSaleOfAnOriginThatHadPassedItsBucketsEndPlusGraceIsStillLate() {
        try (PipelineDriver p = pipeline(2)) {
            var in = p.salesBySeriesIn();
            sale(in, 0, "A", "2011-01-03T10:00:00Z", 5);
            watermark(in, 1, "2011-01-03T10:00:00Z");
            sale(in, 0, "A", "2011-01-04T02:00:00Z", 1);
            watermark(in, 1, "2011-01-04T02:00:00Z");
            assertThat(p.actuals()).singleElement().extracting(SalesBucket::getUnits).isEqualTo(5.0);

            sale(in, 1, "A", "2011-01-03T22:00:00Z", 7);
            assertThat(p.deadLetters()).singleElement().satisfies(kv -> {
                assertThat(kv.value.getReason()).isEqualTo(Rejection.LATE);
                assertThat(kv.value.getPartition()).isEqualTo(1);
                assertThat(kv.value.getDetail()).contains("2011-01-03T00:00:00Z").contains("origin 1=");
            });
            assertThat(p.metrics.lateRecords()).isEqualTo(1);
        }
    }

    @Test
    void anIdleOrdersPartitionIsNotWaitedForUntilItSendsAgain() {
        try (PipelineDriver p = pipeline(3)) {
            var in = p.salesBySeriesIn();
            // Origin 2 never had an order: its intake task says it is idle, without a position.
            idle(in, 2);
            sale(in, 0, "A", "2011-01-03T10:00:00Z", 5);
            watermark(in, 1, "2011-01-03T11:00:00Z");
            idle(in, 1);
            sale(in, 0, "A", "2011-01-04T02:00:00Z", 1);
            assertThat(p.actuals()).as("origins 1 and 2 are idle, origin 0 alone counts").singleElement()
                    .extracting(SalesBucket::getUnits).isEqualTo(5.0);

            // Origin 1 has orders again: days close on the slower of 0 and 1.
            watermark(in, 1, "2011-01-04T03:00:00Z");
            sale(in, 0, "A", "2011-01-07T02:00:00Z", 1);
            assertThat(p.actuals()).isEmpty();
            watermark(in, 1, "2011-01-05T01:00:00Z");
            assertThat(p.actuals()).singleElement().satisfies(b -> {
                assertThat(b.getBucketStart()).isEqualTo(Instant.parse("2011-01-04T00:00:00Z"));
                assertThat(b.getUnits()).isEqualTo(1.0);
            });
            assertThat(p.deadLetters()).isEmpty();
        }
    }

    @Test
    void theIntakeAnnouncesItsEventTimeWithItsFirstOrderAndAtEachClosePointOnly() {
        try (PipelineDriver p = pipeline(1)) {
            var out = p.salesBySeriesOut();
            p.sale("A", "2011-01-03T10:00:00Z", 1);
            p.sale("A", "2011-01-03T20:00:00Z", 1);
            // Grace is one hour: day 1 becomes closable at 01:00 of day 2, not at midnight.
            p.sale("A", "2011-01-04T00:30:00Z", 1);
            p.sale("A", "2011-01-04T01:30:00Z", 1);
            p.sale("A", "2011-01-04T05:00:00Z", 1);

            assertThat(out.readValuesToList()).filteredOn(e -> e instanceof OriginWatermark)
                    .containsExactly(
                            new OriginWatermark(0, at("2011-01-03T10:00:00Z"), false),
                            new OriginWatermark(0, at("2011-01-04T01:30:00Z"), false));
        }
    }

    @Test
    void anOrdersPartitionWithoutOrdersSaysItIsIdleOnceAfterAWallClockIntervalAndComesBackWithItsNextOrder() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "wallclock.close.interval", "PT1M"),
                ModelHandle.none())) {
            var out = p.salesBySeriesOut();
            p.advanceWallClock(java.time.Duration.ofMinutes(1));
            p.advanceWallClock(java.time.Duration.ofMinutes(1));
            assertThat(out.readValuesToList()).containsExactly(
                    new OriginWatermark(0, OriginWatermark.NO_POSITION, true));

            // Two orders that agree start the partition's stream time at once (FirstOrdersTest).
            p.sale("A", "2011-01-03T10:00:00Z", 1);
            p.sale("A", "2011-01-03T10:10:00Z", 1);
            assertThat(out.readValuesToList()).filteredOn(e -> e instanceof OriginWatermark)
                    .containsExactly(new OriginWatermark(0, at("2011-01-03T10:00:00Z"), false));
        }
    }
}
