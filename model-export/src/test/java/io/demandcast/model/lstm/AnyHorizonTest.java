package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every horizon from 1 to 36 gives a valid configuration and a network that runs, on every bucket. */
class AnyHorizonTest {

    private static final int MAX_HORIZON = 36;
    private static final Instant START = Instant.parse("2020-01-01T00:00:00Z");

    @Test
    void theDefaultsAtAnyHorizonHoldOutAWholeValidationWindow() {
        for (Bucket bucket : Bucket.values()) {
            for (int h = 1; h <= MAX_HORIZON; h++) {
                LstmConfig c = LstmConfig.defaults(bucket, h);
                assertThat(c.horizon()).as("%s h=%d", bucket, h).isEqualTo(h);
                assertThat(c.validationBuckets()).as("%s h=%d", bucket, h).isEqualTo(h);
                LstmConfig base = LstmConfig.defaults(bucket);
                assertThat(c.withShape(base.lookback(), base.horizon(), base.layers(), base.hiddenUnits(),
                        base.headUnits())).as("%s h=%d back to the default horizon", bucket, h)
                        .satisfies(back -> assertThat(back.horizon()).isEqualTo(base.horizon()));
            }
            assertThat(LstmConfig.defaults(bucket, LstmConfig.defaultHorizon(bucket)))
                    .isEqualTo(LstmConfig.defaults(bucket));
        }
    }

    @Test
    void reshapingToALongerHorizonGrowsTheValidationSplitAndKeepsNone() {
        LstmConfig month = LstmConfig.defaults(Bucket.MONTH);
        LstmConfig longer = month.withShape(month.lookback(), 24, month.layers(), month.hiddenUnits(),
                month.headUnits());
        assertThat(longer.horizon()).isEqualTo(24);
        assertThat(longer.validationBuckets()).isEqualTo(24);
        LstmConfig shorter = month.withShape(month.lookback(), 6, month.layers(), month.hiddenUnits(),
                month.headUnits());
        assertThat(shorter.validationBuckets()).as("a longer split than needed stays").isEqualTo(18);
        LstmConfig none = month.withTraining(2, 16, 0.01, 2, 1L, 0).withShape(month.lookback(), 30, 1, 8, 4);
        assertThat(none.validationBuckets()).isZero();
    }

    /** The untrained default network of every bucket, at every horizon, gives finite ascending quantiles. */
    @Test
    void everyBucketsNetworkRunsAtEveryHorizon() {
        for (Bucket bucket : Bucket.values()) {
            for (int h = 1; h <= MAX_HORIZON; h++) {
                // One member: the members are the same graph repeated; the trend path (month) is in member 0.
                LstmConfig c = LstmConfig.defaults(bucket, h).withEnsemble(1, false);
                List<SeriesHistory> histories = histories(bucket, 2, c.lookback() / 2 + 3 * bucket.season());
                FeatureEncoder encoder = FeatureEncoder.forHistories(bucket, c.lookback(), h, histories);
                EncodedBatch batch = encoder.encode(histories);
                float[] q = FreshNetwork.run(c, encoder, batch, Map.of(), LstmGraph.QUANTILES)[0];
                assertThat(q).as("%s h=%d", bucket, h).hasSize(2 * h * 3);
                for (int row = 0; row < 2 * h; row++) {
                    assertThat(Float.isFinite(q[3 * row + 1])).as("%s h=%d", bucket, h).isTrue();
                    assertThat(q[3 * row]).isLessThanOrEqualTo(q[3 * row + 1]);
                    assertThat(q[3 * row + 1]).isLessThanOrEqualTo(q[3 * row + 2]);
                }
            }
        }
    }

    /**
     * Real training at a long horizon: two epochs on a few short monthly series. Series of 60 months cannot spare
     * 36 validation buckets besides a 36-bucket window, so the trainer trains without the split.
     */
    @Test
    void aMonthlyModelTrainsAndForecastsThirtySixMonthsAheadEvenFromShortHistories() {
        int h = MAX_HORIZON;
        LstmConfig c = LstmConfig.defaults(Bucket.MONTH, h).withShape(72, h, 1, 8, 4)
                .withTraining(2, 32, 0.01, 2, 3L, h).withEnsemble(2, false).withServing(64, 1);
        List<SeriesHistory> histories = histories(Bucket.MONTH, 4, 60);
        try (LstmModel model = new LstmTrainer(c).train(histories, null)) {
            assertThat(model.card().horizon()).isEqualTo(h);
            assertThat(model.card().trainer().get("validationBuckets")).isEqualTo(0);
            List<QuantileForecast> f = model.forecast(histories, h);
            assertThat(f).hasSize(4).allSatisfy(one -> {
                assertThat(one.horizon()).isEqualTo(h);
                assertThat(one.isFinite()).isTrue();
            });
        }
    }

    /** Seasonal series with a level per series, seeded. */
    static List<SeriesHistory> histories(Bucket bucket, int series, int length) {
        Random random = new Random(series * 31L + length);
        List<SeriesHistory> out = new ArrayList<>();
        int m = bucket.season();
        for (int s = 0; s < series; s++) {
            double level = 20 + 50 * random.nextDouble();
            double[] units = new double[length];
            for (int t = 0; t < length; t++) {
                units[t] = Math.round(level * (1 + 0.3 * Math.sin(2 * Math.PI * t / m)) + 3 * random.nextGaussian());
            }
            out.add(SeriesHistory.of("s" + s, bucket, bucket.floor(START), units));
        }
        return out;
    }
}
