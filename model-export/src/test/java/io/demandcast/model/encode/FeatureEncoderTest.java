package io.demandcast.model.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureEncoderTest {

    private static final Instant MONDAY = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void dailyFeaturesAreUnitsObservedWeekdayYearThenCovariates() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 3, 2,
                List.of(new Covariate("promo", CovariateScaling.FLAG)));
        assertThat(encoder.pastFeatures()).containsExactly("units", "observed", "dow_mon", "dow_tue", "dow_wed",
                "dow_thu", "dow_fri", "dow_sat", "dow_sun", "year_sin1", "year_cos1", "cov:promo");
        assertThat(encoder.futureFeatures()).containsExactly("dow_mon", "dow_tue", "dow_wed", "dow_thu", "dow_fri",
                "dow_sat", "dow_sun", "year_sin1", "year_cos1", "cov:promo");
    }

    @Test
    void shortHistoryIsLeftPaddedWithZerosAndMaskedAsUnobserved() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 4, 2, List.of());
        // Monday 1 Jan 2024 and Tuesday 2 Jan: the history ends on a Tuesday, so the horizon is Wed, Thu.
        SeriesHistory h = SeriesHistory.of("p1", Bucket.DAY, MONDAY, new double[] {5, 7});
        EncodedBatch b = encoder.encode(List.of(h));

        assertThat(b.size()).isEqualTo(1);
        for (int row = 0; row < 2; row++) {
            for (int f = 0; f < encoder.pastWidth(); f++) {
                assertThat(b.past(0, row, f)).as("padded row %d feature %d", row, f).isZero();
            }
        }
        assertThat(b.past(0, 2, FeatureEncoder.UNITS)).isEqualTo(5f);
        assertThat(b.past(0, 3, FeatureEncoder.UNITS)).isEqualTo(7f);
        assertThat(b.past(0, 2, FeatureEncoder.OBSERVED)).isEqualTo(1f);
        assertThat(b.past(0, 3, FeatureEncoder.OBSERVED)).isEqualTo(1f);
        assertThat(b.past(0, 2, 2)).as("Monday flag on 1 Jan").isEqualTo(1f);
        assertThat(b.past(0, 3, 3)).as("Tuesday flag on 2 Jan").isEqualTo(1f);
        // 1 Jan is day 0 of the year: sin 0, cos 1
        assertThat(b.past(0, 2, 9)).isEqualTo(0f);
        assertThat(b.past(0, 2, 10)).isEqualTo(1f);
        assertThat(b.future(0, 0, 2)).as("Wednesday flag on 3 Jan").isEqualTo(1f);
        assertThat(b.future(0, 1, 3)).as("Thursday flag on 4 Jan").isEqualTo(1f);
        assertThat((double) b.future(0, 1, 7)).isCloseTo(Math.sin(2 * Math.PI * 3 / 366), within(1e-6));
        assertThat(b.firstBuckets()).containsExactly(Instant.parse("2024-01-03T00:00:00Z"));
        assertThat(b.targets()).isNull();
    }

    @Test
    void covariatesAreRawAndCarriedForwardPastTheirEnd() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 2, 3,
                List.of(new Covariate("price", CovariateScaling.RELATIVE)));
        // 3 observed buckets, price known one bucket ahead (2.5), then carried forward
        SeriesHistory h = new SeriesHistory("p1", Bucket.DAY, MONDAY, new double[] {1, 2, 3},
                Map.of("price", new double[] {2.0, 2.0, 1.5, 2.5}));
        EncodedBatch b = encoder.encode(List.of(h));
        int past = encoder.firstPastCovariate();
        int future = encoder.firstFutureCovariate();
        assertThat(b.past(0, 0, past)).isEqualTo(2.0f);
        assertThat(b.past(0, 1, past)).isEqualTo(1.5f);
        assertThat(b.future(0, 0, future)).isEqualTo(2.5f);
        assertThat(b.future(0, 1, future)).isEqualTo(2.5f);
        assertThat(b.future(0, 2, future)).isEqualTo(2.5f);
    }

    @Test
    void missingCovariateTakesTheNeutralValueOfItsScaling() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 2, 1, List.of(
                new Covariate("promo", CovariateScaling.FLAG), new Covariate("price", CovariateScaling.RELATIVE)));
        SeriesHistory h = SeriesHistory.of("new", Bucket.DAY, MONDAY, new double[] {4, 4});
        EncodedBatch b = encoder.encode(List.of(h));
        int c = encoder.firstPastCovariate();
        assertThat(b.past(0, 1, c)).isEqualTo(0f);
        assertThat(b.past(0, 1, c + 1)).isEqualTo(1f);
        assertThat(b.future(0, 0, encoder.firstFutureCovariate() + 1)).isEqualTo(1f);
    }

    @Test
    void trainingWindowsCarryTheirTargets() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 2, 2, List.of());
        SeriesHistory h = SeriesHistory.of("p1", Bucket.DAY, MONDAY, new double[] {1, 2, 3, 4, 5});
        EncodedBatch b = encoder.encodeWindows(List.of(h, h), new int[] {1, 3});
        assertThat(b.past(0, 0, FeatureEncoder.OBSERVED)).isZero();
        assertThat(b.past(0, 1, FeatureEncoder.UNITS)).isEqualTo(1f);
        assertThat(new float[] {b.target(0, 0), b.target(0, 1)}).containsExactly(2f, 3f);
        assertThat(new float[] {b.past(1, 0, 0), b.past(1, 1, 0)}).containsExactly(2f, 3f);
        assertThat(new float[] {b.target(1, 0), b.target(1, 1)}).containsExactly(4f, 5f);
        assertThat(b.firstBuckets().get(1)).isEqualTo(Instant.parse("2024-01-04T00:00:00Z"));
    }

    @Test
    void aTrainingWindowMustEndInsideTheHistory() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 2, 2, List.of());
        SeriesHistory h = SeriesHistory.of("p1", Bucket.DAY, MONDAY, new double[] {1, 2, 3});
        assertThatThrownBy(() -> encoder.encodeWindows(List.of(h), new int[] {2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("p1").hasMessageContaining("origin 2").hasMessageContaining("3 buckets");
    }

    @Test
    void aHistoryOfAnotherBucketIsRefusedByName() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 2, 2, List.of());
        SeriesHistory h = SeriesHistory.of("monthly", Bucket.MONTH, MONDAY, new double[] {1});
        assertThatThrownBy(() -> encoder.encode(List.of(h)))
                .hasMessageContaining("monthly").hasMessageContaining("month").hasMessageContaining("day");
    }

    @Test
    void monthlyCalendarIsTheMonthOneHot() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.MONTH, 2, 2, List.of());
        SeriesHistory h = SeriesHistory.of("m", Bucket.MONTH, Instant.parse("2023-11-01T00:00:00Z"),
                new double[] {1, 2});
        EncodedBatch b = encoder.encode(List.of(h));
        assertThat(encoder.pastFeatures().get(2 + 10)).isEqualTo("month_nov");
        assertThat(b.past(0, 0, 2 + 10)).isEqualTo(1f);
        assertThat(b.past(0, 1, 2 + 11)).isEqualTo(1f);
        assertThat(b.future(0, 0, 0)).as("January after December").isEqualTo(1f);
        assertThat(b.future(0, 1, 1)).isEqualTo(1f);
    }

    @Test
    void hourlyCalendarHasHourHarmonicsAndWeekday() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.HOUR, 1, 1, List.of());
        SeriesHistory h = SeriesHistory.of("h", Bucket.HOUR, Instant.parse("2024-01-01T06:00:00Z"),
                new double[] {1});
        EncodedBatch b = encoder.encode(List.of(h));
        // 06:00 is a quarter of the day: sin 1, cos 0; second harmonic sin 0, cos -1
        assertThat((double) b.past(0, 0, 2)).isCloseTo(1.0, within(1e-6));
        assertThat((double) b.past(0, 0, 3)).isCloseTo(0.0, within(1e-6));
        assertThat((double) b.past(0, 0, 5)).isCloseTo(-1.0, within(1e-6));
        assertThat(b.past(0, 0, 6)).as("Monday").isEqualTo(1f);
    }

    @Test
    void covariateScalingIsInferredFromTheValues() {
        Instant start = MONDAY;
        SeriesHistory a = new SeriesHistory("a", Bucket.DAY, start, new double[] {1, 2},
                Map.of("promo", new double[] {0, 1}, "price", new double[] {1, 1}));
        SeriesHistory b = new SeriesHistory("b", Bucket.DAY, start, new double[] {1, 2},
                Map.of("promo", new double[] {1, 0}, "price", new double[] {1, 0.8}));
        FeatureEncoder encoder = FeatureEncoder.forHistories(Bucket.DAY, 4, 2, List.of(a, b));
        assertThat(encoder.covariates()).containsExactlyInAnyOrder(
                new Covariate("promo", CovariateScaling.FLAG), new Covariate("price", CovariateScaling.RELATIVE));
    }

    @Test
    void decodeTurnsOutputsIntoForecastsTruncatedToTheHorizonAsked() {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 2, 3, List.of());
        SeriesHistory h = SeriesHistory.of("p1", Bucket.DAY, MONDAY, new double[] {1, 2});
        EncodedBatch b = encoder.encode(List.of(h));
        float[] out = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        List<QuantileForecast> f = encoder.decode(b, out, new double[] {0.1, 0.5, 0.9}, 2, "lstm", "v1");
        assertThat(f).hasSize(1);
        assertThat(f.get(0).values()).hasDimensions(2, 3);
        assertThat(f.get(0).values()[1]).containsExactly(4, 5, 6);
        assertThat(f.get(0).p50(0)).isEqualTo(2);
        assertThat(f.get(0).firstBucket()).isEqualTo(Instant.parse("2024-01-03T00:00:00Z"));
        assertThat(f.get(0).modelVersion()).isEqualTo("v1");
        assertThatThrownBy(() -> encoder.decode(b, new float[8], new double[] {0.1, 0.5, 0.9}, 2, "lstm", "v1"))
                .hasMessageContaining("8 values").hasMessageContaining("1x3x3");
    }
}
