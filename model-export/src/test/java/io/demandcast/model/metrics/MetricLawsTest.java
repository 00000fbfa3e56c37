package io.demandcast.model.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class MetricLawsTest {

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Property
    void aPerfectForecastHasZeroWapeMaseAndPinballAndFullCoverage(
            @ForAll @Size(min = 1, max = 50) List<@DoubleRange(min = 0, max = 1e5) Double> actual,
            @ForAll @DoubleRange(min = 0.01, max = 100) double scale) {
        double[] y = array(actual);
        Assume.that(Arrays.stream(y).sum() > 0);
        double[][] values = new double[y.length][];
        for (int i = 0; i < y.length; i++) {
            values[i] = new double[] {y[i], y[i], y[i]};
        }
        assertThat(ForecastMetrics.wape(y, y)).isZero();
        assertThat(ForecastMetrics.mase(y, y, scale)).isZero();
        assertThat(ForecastMetrics.pinball(y, values, new double[] {0.1, 0.5, 0.9})).isZero();
        assertThat(ForecastMetrics.coverage(y, y, y)).isEqualTo(1.0);
    }

    /** Seasonal naive scored on the training part itself is the MASE scale, so its MASE there is exactly 1. */
    @Property
    void seasonalNaiveInSampleHasMaseOne(
            @ForAll @Size(min = 2, max = 80) List<@DoubleRange(min = 0, max = 1e4) Double> train,
            @ForAll @IntRange(min = 1, max = 12) int m) {
        double[] y = array(train);
        Assume.that(y.length > m);
        double scale = ForecastMetrics.maseScale(y, m);
        Assume.that(scale > 0);
        double[] actual = Arrays.copyOfRange(y, m, y.length);
        double[] forecast = Arrays.copyOfRange(y, 0, y.length - m);
        assertThat(ForecastMetrics.mase(actual, forecast, scale)).isCloseTo(1.0, within(1e-9));
    }

    @Property
    void maseIsUnchangedWhenEverythingIsScaled(
            @ForAll @Size(min = 10, max = 40) List<@DoubleRange(min = 0, max = 1e3) Double> train,
            @ForAll @Size(min = 5, max = 5) List<@DoubleRange(min = 0, max = 1e3) Double> actual,
            @ForAll @Size(min = 5, max = 5) List<@DoubleRange(min = 0, max = 1e3) Double> forecast,
            @ForAll @DoubleRange(min = 0.01, max = 1000) double c) {
        double[] t = array(train);
        double scale = ForecastMetrics.maseScale(t, 7);
        Assume.that(scale > 1e-6);
        double[] a = array(actual);
        double[] f = array(forecast);
        double mase = ForecastMetrics.mase(a, f, scale);
        double scaled = ForecastMetrics.mase(times(a, c), times(f, c), ForecastMetrics.maseScale(times(t, c), 7));
        assertThat(scaled).isCloseTo(mase, within(1e-9 * (1 + mase)));
    }

    @Property
    void coverageIsAShareAndWideningTheBandNeverLowersIt(
            @ForAll @Size(min = 1, max = 30) List<@DoubleRange(min = -100, max = 100) Double> actual,
            @ForAll @Size(min = 30, max = 30) List<@DoubleRange(min = -100, max = 100) Double> centre,
            @ForAll @DoubleRange(min = 0, max = 50) double half, @ForAll @DoubleRange(min = 0, max = 50) double more) {
        double[] y = array(actual);
        double[] c = Arrays.copyOf(array(centre), y.length);
        double narrow = ForecastMetrics.coverage(y, plus(c, -half), plus(c, half));
        double wide = ForecastMetrics.coverage(y, plus(c, -half - more), plus(c, half + more));
        assertThat(narrow).isBetween(0.0, 1.0);
        assertThat(wide).isBetween(narrow, 1.0);
    }

    @Property
    void pinballLossIsNeverNegative(@ForAll @DoubleRange(min = -1e4, max = 1e4) double y,
                                    @ForAll @DoubleRange(min = -1e4, max = 1e4) double q,
                                    @ForAll @DoubleRange(min = 0.01, max = 0.99) double tau) {
        assertThat(ForecastMetrics.pinball(y, q, tau)).isGreaterThanOrEqualTo(0);
    }

    private static double[] times(double[] v, double c) {
        return Arrays.stream(v).map(x -> x * c).toArray();
    }

    private static double[] plus(double[] v, double c) {
        return Arrays.stream(v).map(x -> x + c).toArray();
    }
}
