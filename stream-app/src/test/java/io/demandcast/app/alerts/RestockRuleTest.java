package io.demandcast.app.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.RestockState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alert rule on hand-made forecasts. */
class RestockRuleTest {

    private static final Instant ORIGIN = Instant.parse("2011-03-01T00:00:00Z");
    private static final RestockPolicy POLICY = RestockPolicy.forHorizon(14);

    /** 14 steps of 10 units a bucket with a narrow band. */
    private static Forecast steady() {
        List<ForecastStep> steps = new ArrayList<>();
        for (int k = 1; k <= 14; k++) {
            steps.add(new ForecastStep(ORIGIN.plus(Duration.ofDays(k)), 9.9, 10.0, 10.1));
        }
        return new Forecast("A", ORIGIN, steps, "v1", "lstm", ORIGIN);
    }

    private static InventoryLevel level(double onHand, double onOrder, int lead) {
        return new InventoryLevel("A", onHand, onOrder, lead, 0.9, ORIGIN);
    }

    @Test
    void aPositionBelowTheReorderPointRaisesAnOrderUpToLeadTimePlusOneReviewBucket() {
        RestockAlert a = RestockRule.evaluate(level(5, 10, 3), steady(), POLICY, 0);
        assertThat(a.getState()).isEqualTo(RestockState.RAISED);
        assertThat(a.getDemandOverLeadTimeP50()).isCloseTo(30, within(0.1));
        assertThat(a.getDemandOverLeadTimeAtServiceLevel()).isCloseTo(30, within(0.3));
        assertThat(a.getOrderUpToLevel()).isCloseTo(40, within(0.4));
        assertThat(a.getSuggestedOrder()).isCloseTo(40 - 15, within(0.4));
        // 5 on hand run out in the first bucket at median demand.
        assertThat(a.getStockoutEstimate()).isEqualTo(ORIGIN.plus(Duration.ofDays(1)));
        assertThat(a.getForecastLastObservedBucket()).isEqualTo(ORIGIN);
    }

    @Test
    void onOrderCountsInThePositionSoStockComingClearsIt() {
        RestockAlert a = RestockRule.evaluate(level(5, 30, 3), steady(), POLICY, 0);
        assertThat(a.getState()).isEqualTo(RestockState.CLEARED);
        assertThat(a.getSuggestedOrder()).isZero();
        assertThat(a.getStockoutEstimate()).isEqualTo(ORIGIN.plus(Duration.ofDays(1)));
    }

    @Test
    void stockBeyondTheHorizonHasNoStockoutEstimate() {
        RestockAlert a = RestockRule.evaluate(level(1000, 0, 14), steady(), POLICY, 0);
        assertThat(a.getState()).isEqualTo(RestockState.CLEARED);
        assertThat(a.getStockoutEstimate()).isNull();
        // A lead time of the whole horizon leaves no room for the review bucket: the order covers the lead time.
        assertThat(a.getOrderUpToLevel()).isCloseTo(140, within(1.0));
    }
}
