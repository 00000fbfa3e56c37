package io.demandcast.model.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class FeatureEncoderPropertiesTest {

    private static final Instant BASE = Instant.parse("2020-01-01T00:00:00Z");

    @Property(tries = 200)
    void observedMaskMarksExactlyTheLastMinLNRowsAndTheRestIsZero(@ForAll @IntRange(min = 1, max = 40) int lookback,
                                                                @ForAll("histories") SeriesHistory h) {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, lookback, 3, List.of());
        EncodedBatch b = encoder.encode(List.of(h));
        int n = h.length();
        int padded = Math.max(0, lookback - n);
        for (int r = 0; r < lookback; r++) {
            if (r < padded) {
                for (int f = 0; f < encoder.pastWidth(); f++) {
                    assertThat(b.past(0, r, f)).isZero();
                }
            } else {
                assertThat(b.past(0, r, FeatureEncoder.OBSERVED)).isEqualTo(1f);
                assertThat(b.past(0, r, FeatureEncoder.UNITS)).isEqualTo((float) h.units()[n - lookback + r]);
            }
        }
    }

    @Property(tries = 200)
    void encodingAPrefixForInferenceEqualsTheTrainingWindowAtThatOrigin(@ForAll("histories") SeriesHistory h,
                                                                       @ForAll @IntRange(min = 1, max = 30) int cut) {
        int horizon = 3;
        int origin = Math.min(cut, Math.max(0, h.length() - horizon));
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 10, horizon,
                List.of(new Covariate("price", CovariateScaling.RELATIVE)));
        EncodedBatch inference = encoder.encode(List.of(h.head(origin)));
        if (origin + horizon <= h.length()) {
            EncodedBatch training = encoder.encodeWindows(List.of(h), new int[] {origin});
            assertThat(inference.past()).containsExactly(training.past());
            assertThat(inference.future()).containsExactly(training.future());
            assertThat(inference.firstBuckets()).isEqualTo(training.firstBuckets());
        }
    }

    /**
     * Arrays reused from an earlier, larger batch (here: filled with garbage) hold in their first rows what a fresh
     * encode gives: short histories' padding rows cleared, every other cell written; the rows after are untouched.
     */
    @Property(tries = 200)
    void encodingIntoReusedArraysEqualsAFreshEncode(@ForAll("histories") SeriesHistory a,
                                                     @ForAll("histories") SeriesHistory b,
                                                     @ForAll @IntRange(min = 1, max = 40) int lookback,
                                                     @ForAll @IntRange(min = 0, max = 3) int spareRows,
                                                     @ForAll float dirt) {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, lookback, 4,
                List.of(new Covariate("price", CovariateScaling.RELATIVE)));
        List<SeriesHistory> batch = List.of(a, b);
        float[] past = new float[encoder.pastLength(2 + spareRows)];
        float[] future = new float[encoder.futureLength(2 + spareRows)];
        Arrays.fill(past, dirt);
        Arrays.fill(future, dirt);
        encoder.encodeInto(batch, past, future);
        EncodedBatch fresh = encoder.encode(batch);
        int p = fresh.past().length;
        int f = fresh.future().length;
        assertThat(Arrays.copyOf(past, p)).containsExactly(fresh.past());
        assertThat(Arrays.copyOf(future, f)).containsExactly(fresh.future());
        for (int k = p; k < past.length; k++) {
            assertThat(past[k]).isEqualTo(dirt);
        }
        for (int k = f; k < future.length; k++) {
            assertThat(future[k]).isEqualTo(dirt);
        }
    }

    @Property(tries = 20)
    void arraysTooSmallForTheBatchAreRefusedNamingTheSizes(@ForAll("histories") SeriesHistory a) {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 7, 3, List.of());
        float[] small = new float[encoder.pastLength(2) - 1];
        assertThatThrownBy(() -> encoder.encodeInto(List.of(a, a), small, new float[encoder.futureLength(2)]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot hold 2 series")
                .hasMessageContaining(Integer.toString(encoder.pastLength(2)));
    }

    @Property(tries = 100)
    void weekdayFeaturesRepeatEverySevenDaysWithExactlyOneSet(@ForAll @IntRange(min = 0, max = 3000) int dayOffset) {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 7, 7, List.of());
        SeriesHistory h = SeriesHistory.of("s", Bucket.DAY, Bucket.DAY.plus(BASE, dayOffset), new double[7]);
        EncodedBatch b = encoder.encode(List.of(h));
        for (int step = 0; step < 7; step++) {
            float[] past = Arrays.copyOfRange(b.past(), step * encoder.pastWidth() + 2,
                    step * encoder.pastWidth() + 9);
            float[] future = Arrays.copyOfRange(b.future(), step * encoder.futureWidth(),
                    step * encoder.futureWidth() + 7);
            assertThat(future).containsExactly(past);
            float sum = 0;
            for (float v : past) {
                sum += v;
            }
            assertThat(sum).isEqualTo(1f);
        }
    }

    @Property(tries = 100)
    void hourAndMonthFeaturesArePeriodic(@ForAll @IntRange(min = 0, max = 100_000) int hours,
                                         @ForAll @IntRange(min = 0, max = 600) int months) {
        FeatureEncoder hourly = new FeatureEncoder(Bucket.HOUR, 24, 24, List.of());
        EncodedBatch h = hourly.encode(List.of(SeriesHistory.of("h", Bucket.HOUR, Bucket.HOUR.plus(BASE, hours),
                new double[24])));
        for (int step = 0; step < 24; step++) {
            for (int k = 0; k < 4; k++) {
                assertThat(h.future(0, step, k)).isEqualTo(h.past(0, step, 2 + k));
            }
        }
        FeatureEncoder monthly = new FeatureEncoder(Bucket.MONTH, 12, 12, List.of());
        EncodedBatch m = monthly.encode(List.of(SeriesHistory.of("m", Bucket.MONTH,
                Bucket.MONTH.plus(BASE, months), new double[12])));
        for (int step = 0; step < 12; step++) {
            for (int k = 0; k < 12; k++) {
                assertThat(m.future(0, step, k)).isEqualTo(m.past(0, step, 2 + k));
            }
        }
    }

    @Property(tries = 200)
    void covariatesAreCarriedForwardFromTheirLastValue(@ForAll("histories") SeriesHistory h,
                                                       @ForAll @IntRange(min = 0, max = 6) int known,
                                                       @ForAll @DoubleRange(min = 0.1, max = 100) double last) {
        int horizon = 6;
        double[] price = new double[h.length() + known];
        Arrays.fill(price, 3.0);
        price[price.length - 1] = last;
        SeriesHistory withPrice = new SeriesHistory(h.series(), h.bucket(), h.start(), h.units(),
                Map.of("price", price));
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, 5, horizon,
                List.of(new Covariate("price", CovariateScaling.RELATIVE)));
        EncodedBatch b = encoder.encode(List.of(withPrice));
        int c = encoder.firstFutureCovariate();
        for (int step = Math.max(0, known - 1); step < horizon; step++) {
            assertThat(b.future(0, step, c)).isEqualTo((float) last);
        }
    }

    @Provide
    Arbitrary<SeriesHistory> histories() {
        Arbitrary<double[]> units = Arbitraries.doubles().between(0, 1000).ofScale(2).array(double[].class)
                .ofMinSize(1).ofMaxSize(40);
        Arbitrary<Integer> offset = Arbitraries.integers().between(0, 2000);
        return Combinators.combine(units, offset).as((u, o) ->
                SeriesHistory.of("s" + o, Bucket.DAY, Bucket.DAY.plus(BASE, o), u));
    }
}
