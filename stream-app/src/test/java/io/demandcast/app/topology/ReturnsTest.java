package io.demandcast.app.topology;

import static io.demandcast.app.topology.PipelineDriver.line;
import static io.demandcast.app.topology.PipelineDriver.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.cycle.TestForecasters;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.OrderType;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReturnsTest {

    @TempDir
    Path state;

    @Test
    void aReturnSubtractsUnitsAndRevenueInItsOwnBucketAndLeavesTheMeanPriceToSales() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none())) {
            p.send(order("536365", Instant.parse("2011-01-03T09:00:00Z"), OrderType.SALE,
                    line("85123A", 6, 2.55), line("85123A", 4, 2.55), line("71053", 6, 3.39)));
            p.send(order("C536379", Instant.parse("2011-01-03T15:00:00Z"), OrderType.RETURN, line("85123A", 3, 2.55)));
            p.sale("85123A", "2011-01-04T10:00:00Z", 1);
            p.sale("85123A", "2011-01-05T10:00:00Z", 1);

            var day1 = p.actuals().stream().filter(b -> b.getSeries().equals("85123A")
                    && b.getBucketStart().equals(Instant.parse("2011-01-03T00:00:00Z"))).toList();
            assertThat(day1).singleElement().satisfies(b -> {
                assertThat(b.getUnits()).isEqualTo(7.0);
                assertThat(b.getRevenue()).isCloseTo(7 * 2.55, org.assertj.core.data.Offset.offset(1e-9));
                assertThat(b.getOrderCount()).as("the sale (two lines) and the return").isEqualTo(2);
                assertThat(b.getMeanPrice()).isCloseTo(2.55, org.assertj.core.data.Offset.offset(1e-9));
            });
        }
    }

    @Test
    void aBucketWhereReturnsOutweighSalesIsPublishedNegativeButForecastAsZeroDemand() {
        ModelSlot slot = new ModelSlot();
        slot.swap(new TestForecasters.MeanModel(), "v1", null);
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), slot)) {
            p.sale("A", "2011-01-03T09:00:00Z", 5);
            p.send(order("C1", Instant.parse("2011-01-04T09:00:00Z"), OrderType.RETURN, line("A", 8, 1.0)));
            p.sale("A", "2011-01-05T09:00:00Z", 1);
            p.sale("A", "2011-01-06T09:00:00Z", 1);

            assertThat(p.actuals()).extracting(b -> b.getUnits()).containsExactly(5.0, -8.0, 1.0);
            Forecast afterDay2 = p.forecasts().get(1);
            assertThat(afterDay2.getLastObservedBucket()).isEqualTo(Instant.parse("2011-01-04T00:00:00Z"));
            // The model forecasts the history's mean: (5 + 0) / 2, where the unclipped history would give -1.5.
            assertThat(afterDay2.getSteps()).allSatisfy(s -> assertThat(s.getP50()).isEqualTo(2.5));
        }
    }
}
