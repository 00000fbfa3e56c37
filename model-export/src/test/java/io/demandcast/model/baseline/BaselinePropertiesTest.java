package io.demandcast.model.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.ForecastBlock;
import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BaselinePropertiesTest {

    private static final double[] Q = {0.1, 0.5, 0.9};

    @Property(tries = 300)
    void quantilesAreAscendingNonNegativeAndP50IsThePointForecast(
            @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = 0, max = 1e4) Double> units,
            @ForAll @IntRange(min = 1, max = 30) int horizon) {
        double[] y = units.stream().mapToDouble(Double::doubleValue).toArray();
        SeriesHistory h = SeriesHistory.of("p", Bucket.DAY, Instant.parse("2024-01-01T00:00:00Z"), y);
        int n = y.length;
        int m = Math.min(7, n);
        int w = Math.min(7, n);
        double ma = 0;
        for (int t = n - w; t < n; t++) {
            ma += y[t] / w;
        }
        for (Forecaster f : List.of(new SeasonalNaive(Q), new Naive(Q), new MovingAverage(Q, 0))) {
            QuantileForecast q = f.forecast(List.of(h), horizon).get(0);
            assertThat(q.horizon()).isEqualTo(horizon);
            for (int s = 0; s < horizon; s++) {
                double[] v = q.values()[s];
                assertThat(v[0]).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(v[1]);
                assertThat(v[1]).isLessThanOrEqualTo(v[2]);
                double point = switch (f.method()) {
                    case "seasonal_naive" -> y[n - m + s % m];
                    case "naive" -> y[n - 1];
                    default -> ma;
                };
                assertThat(v[1]).as("%s step %d", f.method(), s + 1).isCloseTo(point,
                        org.assertj.core.api.Assertions.within(1e-9 * (1 + point)));
            }
        }
    }

    /**
     * The streaming fallback reads a close's forecasts as one block: row for row, value for value, the same numbers as
     * the forecasts made one by one, over histories of any length (shorter than a season included) and a bucket with
     * another season.
     */
    @Property(tries = 200)
    void seasonalNaivesBlockHoldsTheSameNumbersAsItsForecasts(
            @ForAll @Size(min = 1, max = 12) List<@Size(min = 0, max = 40) List<@DoubleRange(min = 0, max = 1e4)
                    Double>> series,
            @ForAll @IntRange(min = 1, max = 30) int horizon,
            @ForAll boolean monthly) {
        Bucket bucket = monthly ? Bucket.MONTH : Bucket.DAY;
        List<SeriesHistory> histories = new java.util.ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            double[] y = series.get(i).stream().mapToDouble(Double::doubleValue).toArray();
            histories.add(SeriesHistory.of("s" + i, bucket, Instant.parse("2024-01-01T00:00:00Z"), y));
        }
        SeasonalNaive naive = new SeasonalNaive(Q);
        List<QuantileForecast> one = naive.forecast(histories, horizon);
        ForecastBlock block = naive.forecastBlock(histories, horizon);
        assertThat(block.size()).isEqualTo(histories.size());
        for (int i = 0; i < histories.size(); i++) {
            assertThat(block.series(i)).isEqualTo("s" + i);
            assertThat(block.horizon(i)).isEqualTo(horizon);
            assertThat(block.levels(i)).containsExactly(Q);
            for (int h = 0; h < horizon; h++) {
                for (int k = 0; k < Q.length; k++) {
                    assertThat(block.value(i, h, k)).as("row %d step %d level %d", i, h, k)
                            .isEqualTo(one.get(i).values()[h][k]);
                }
            }
        }
    }
}
