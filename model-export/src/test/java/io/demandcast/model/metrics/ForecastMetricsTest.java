package io.demandcast.model.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every expected figure here is worked out by hand in the comments. */
class ForecastMetricsTest {

    private static final double[] Q = {0.1, 0.5, 0.9};
    private static final double[] TRAIN = {1, 2, 3, 5};
    private static final double[] ACTUAL = {2, 0, 4};
    private static final double[] P10 = {0, 0, 3};
    private static final double[] P50 = {1, 1, 6};
    private static final double[] P90 = {1.5, 2, 8};

    @Test
    void maseDividesMeanAbsoluteErrorByTheInSampleSeasonalDifference() {
        // scale at lag 2: (|3-1| + |5-2|) / 2 = 2.5; errors -1, 1, 2 -> MAE 4/3; MASE = (4/3) / 2.5
        assertThat(ForecastMetrics.maseScale(TRAIN, 2)).isEqualTo(2.5);
        assertThat(ForecastMetrics.mase(ACTUAL, P50, 2.5)).isCloseTo(0.533333333, within(1e-8));
    }

    @Test
    void rmsseUsesTheSquaredSeasonalDifference() {
        // squared scale: (4 + 9) / 2 = 6.5; mean squared error (1 + 1 + 4) / 3 = 2; sqrt(2 / 6.5)
        assertThat(ForecastMetrics.rmsseScale(TRAIN, 2)).isEqualTo(6.5);
        assertThat(ForecastMetrics.rmsse(ACTUAL, P50, 6.5)).isCloseTo(0.554700196, within(1e-8));
    }

    @Test
    void wapeAndBiasArePooledOverTheAbsoluteActuals() {
        // sum |e| = 4, sum e = 2, sum |y| = 6
        assertThat(ForecastMetrics.wape(ACTUAL, P50)).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(ForecastMetrics.bias(ACTUAL, P50)).isCloseTo(2.0 / 6, within(1e-12));
    }

    @Test
    void pinballIsTheMeanOverStepsAndQuantiles() {
        // y=2: 0.1*2 + 0.5*1 + 0.9*0.5 = 1.15; y=0: 0 + 0.5*1 + 0.1*2 = 0.7; y=4: 0.1*1 + 0.5*2 + 0.1*4 = 1.5
        double[][] values = {{0, 1, 1.5}, {0, 1, 2}, {3, 6, 8}};
        assertThat(ForecastMetrics.pinball(ACTUAL, values, Q)).isCloseTo(3.35 / 9, within(1e-12));
    }

    @Test
    void coverageCountsActualsInsideTheBandBoundsIncluded() {
        // 2 is above 1.5; 0 sits on P10 = 0 (inside); 4 is inside [3, 8]
        assertThat(ForecastMetrics.coverage(ACTUAL, P10, P90)).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void undefinedScalesAreNaN() {
        assertThat(ForecastMetrics.maseScale(new double[] {1, 2}, 2)).isNaN();
        assertThat(ForecastMetrics.mase(ACTUAL, P50, 0.0)).isNaN();
        assertThat(ForecastMetrics.wape(new double[] {0, 0}, new double[] {1, 1})).isNaN();
    }

    @Test
    void seriesErrorsPoolTheSameFiguresAsTheArrayDefinitions() {
        SeriesErrors s = new SeriesErrors("s", "m", 2.5, 6.5, 3);
        for (int i = 0; i < 3; i++) {
            s.add(i + 1, ACTUAL[i], Q, new double[] {P10[i], P50[i], P90[i]});
        }
        assertThat(s.mase()).isCloseTo(0.533333333, within(1e-8));
        assertThat(s.rmsse()).isCloseTo(0.554700196, within(1e-8));
        assertThat(s.wape()).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(s.bias()).isCloseTo(2.0 / 6, within(1e-12));
        assertThat(s.pinball()).isCloseTo(3.35 / 9, within(1e-12));
        assertThat(s.coverage()).isCloseTo(2.0 / 3, within(1e-12));
        // step 3 alone: |6 - 4| / 2.5
        assertThat(s.maseAtStep(3)).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void summaryLeavesZeroScaleSeriesOutOfMeansButPoolsThemIntoWape() {
        SeriesErrors a = new SeriesErrors("a", "m", 1.0, 1.0, 1);
        a.add(1, 10, Q, new double[] {9, 12, 13});   // |e| = 2, MASE 2, covered
        SeriesErrors b = new SeriesErrors("b", "m", 2.0, 1.0, 1);
        b.add(1, 10, Q, new double[] {0, 11, 11});   // |e| = 1, MASE 0.5, covered
        SeriesErrors c = new SeriesErrors("c", "m", 4.0, 1.0, 1);
        c.add(1, 10, Q, new double[] {0, 14, 15});   // |e| = 4, MASE 1, covered
        SeriesErrors d = new SeriesErrors("d", "m", 1.0, 1.0, 1);
        d.add(1, 10, Q, new double[] {0, 13, 14});   // |e| = 3, MASE 3, covered
        SeriesErrors zero = new SeriesErrors("z", "m", 0.0, 0.0, 1);
        zero.add(1, 0, Q, new double[] {1, 1, 1});   // |e| = 1, not covered, no MASE
        MethodSummary s = MethodSummary.of("m", List.of(a, b, c, d, zero));
        assertThat(s.series()).isEqualTo(5);
        assertThat(s.zeroScaleSeries()).isEqualTo(1);
        assertThat(s.maseMean()).isCloseTo((2 + 0.5 + 1 + 3) / 4.0, within(1e-12));
        assertThat(s.maseMedian()).isCloseTo(1.5, within(1e-12));
        assertThat(s.wape()).isCloseTo(11.0 / 40, within(1e-12));
        assertThat(s.coverage()).isCloseTo(4.0 / 5, within(1e-12));
        assertThat(s.maseByStep()).containsExactly(new double[] {6.5 / 4}, within(1e-12));
    }
}
