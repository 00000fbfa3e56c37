package io.demandcast.model.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {

    private static final double[] Q = {0.1, 0.5, 0.9};
    private static final Instant MONDAY = Instant.parse("2024-01-01T00:00:00Z");

    private static QuantileForecast one(io.demandcast.model.Forecaster f, double[] units, int horizon) {
        return f.forecast(List.of(SeriesHistory.of("s", Bucket.DAY, MONDAY, units)), horizon).get(0);
    }

    @Test
    void naiveRepeatsTheLastValueWithABandFromCentredOneStepDifferences() {
        // diffs 2, -1, 4: median 2, P10 -0.4, P90 3.6 -> offsets -2.4, 0, +1.6, widened by sqrt(step)
        QuantileForecast f = one(new Naive(Q), new double[] {1, 3, 2, 6}, 2);
        assertThat(f.method()).isEqualTo("naive");
        assertThat(f.firstBucket()).isEqualTo(Instant.parse("2024-01-05T00:00:00Z"));
        assertThat(f.values()[0]).containsExactly(new double[] {3.6, 6, 7.6}, within(1e-12));
        double r2 = Math.sqrt(2);
        assertThat(f.values()[1]).containsExactly(new double[] {6 - 2.4 * r2, 6, 6 + 1.6 * r2}, within(1e-12));
    }

    @Test
    void movingAverageForecastsTheMeanOfTheLastWindow() {
        // window 2: in-sample errors 2-2=0 and 6-2.5=3.5 -> offsets -1.4, 0, +1.4; point (2+6)/2 = 4
        QuantileForecast f = one(new MovingAverage(Q, 2), new double[] {1, 3, 2, 6}, 3);
        assertThat(f.values()[0]).containsExactly(new double[] {2.6, 4, 5.4}, within(1e-12));
        double w = Math.sqrt(2);
        assertThat(f.values()[2]).containsExactly(new double[] {4 - 1.4 * w, 4, 4 + 1.4 * w}, within(1e-12));
    }

    @Test
    void movingAverageWindowDefaultsToOneSeason() {
        double[] y = {9, 9, 9, 1, 2, 3, 4, 5, 6, 7};
        QuantileForecast f = one(new MovingAverage(Q, 0), y, 1);
        assertThat(f.p50(0)).isEqualTo((1 + 2 + 3 + 4 + 5 + 6 + 7) / 7.0, within(1e-12));
    }

    @Test
    void seasonalNaiveP50RepeatsLastSeasonAndTheBandIsClippedAtZero() {
        double[] y = {5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 9, 0};
        QuantileForecast f = one(new SeasonalNaive(Q), y, 9);
        for (int h = 0; h < 9; h++) {
            assertThat(f.p50(h)).as("step %d", h + 1).isEqualTo(y[y.length - 7 + h % 7]);
            assertThat(f.values()[h][0]).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void baselinesWorkOnAOneBucketHistory() {
        for (var f : List.of(new SeasonalNaive(Q), new Naive(Q), new MovingAverage(Q, 0))) {
            QuantileForecast q = one(f, new double[] {4}, 3);
            for (double[] step : q.values()) {
                assertThat(step).as(f.method()).containsOnly(4.0);
            }
        }
    }

    @Test
    void theBandComesFromTheLastEightSeasonsOfResiduals() {
        // 40 days of wild swings, then 8 weeks (56 days) alternating 10, 12: only differences of -2 and +2 count.
        double[] y = new double[40 + 57];
        for (int t = 0; t < 40; t++) {
            y[t] = t % 2 == 0 ? 0 : 1000;
        }
        for (int t = 40; t < y.length; t++) {
            y[t] = t % 2 == 0 ? 10 : 12;
        }
        QuantileForecast f = one(new Naive(Q), y, 1);
        assertThat(f.values()[0][0]).isBetween(8.0, 10.0);
        assertThat(f.values()[0][2]).isBetween(10.0, 12.0);
    }
}
