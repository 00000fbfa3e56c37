package io.demandcast.model.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
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
}
