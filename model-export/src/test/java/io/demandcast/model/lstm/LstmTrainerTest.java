package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainingListener;
import io.demandcast.model.baseline.SeasonalNaive;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LstmTrainerTest {

    static final int H = 7;

    static LstmConfig small() {
        return LstmConfig.defaults(Bucket.DAY).withShape(21, H, 1, 16, 8)
                .withTraining(14, 64, 0.01, 4, 7L, H).withServing(256, 2);
    }

    @Test
    void lossFallsAndTheModelBeatsSeasonalNaiveOnHeldOutBuckets() {
        List<SeriesHistory> all = SyntheticDemand.weekly(30, 150, 11L);
        List<SeriesHistory> train = new ArrayList<>();
        for (SeriesHistory h : all) {
            train.add(h.head(h.length() - H));
        }
        List<double[]> losses = new ArrayList<>();
        try (LstmModel model = new LstmTrainer(small()).train(train,
                (epoch, max, trainLoss, validationLoss) -> losses.add(new double[] {trainLoss, validationLoss}))) {
            assertThat(losses.get(losses.size() - 1)[0]).as("last training loss").isLessThan(0.8 * losses.get(0)[0]);

            List<QuantileForecast> lstm = model.forecast(train, H);
            List<QuantileForecast> naive = new SeasonalNaive(new double[] {0.1, 0.5, 0.9}).forecast(train, H);
            double lstmError = 0;
            double naiveError = 0;
            for (int s = 0; s < all.size(); s++) {
                double[] actual = all.get(s).units();
                for (int h = 0; h < H; h++) {
                    double y = actual[train.get(s).length() + h];
                    lstmError += Math.abs(y - lstm.get(s).p50(h));
                    naiveError += Math.abs(y - naive.get(s).p50(h));
                }
            }
            assertThat(lstmError).as("MAE of P50, LSTM vs seasonal naive (%s)", naiveError)
                    .isLessThan(0.9 * naiveError);
        }
    }

    @Test
    void forecastsAreFiniteAscendingNonNegativeAndStartAfterTheHistory() {
        List<SeriesHistory> train = SyntheticDemand.weekly(8, 60, 3L);
        try (LstmModel model = new LstmTrainer(small().withTraining(2, 64, 0.01, 4, 7L, H)).train(train, null)) {
            List<SeriesHistory> asked = new ArrayList<>(train);
            asked.add(train.get(0).head(2));   // a new product with two buckets
            asked.add(train.get(1).head(0));   // one with none yet
            List<QuantileForecast> forecasts = model.forecast(asked, 5);
            assertThat(forecasts).hasSize(asked.size());
            for (int i = 0; i < asked.size(); i++) {
                QuantileForecast f = forecasts.get(i);
                assertThat(f.isFinite()).isTrue();
                assertThat(f.horizon()).isEqualTo(5);
                assertThat(f.firstBucket()).isEqualTo(asked.get(i).end());
                assertThat(f.method()).isEqualTo("lstm");
                assertThat(f.modelVersion()).isEqualTo(model.version());
                for (double[] step : f.values()) {
                    assertThat(step[0]).isGreaterThanOrEqualTo(0);
                    assertThat(step[0]).isLessThanOrEqualTo(step[1]);
                    assertThat(step[1]).isLessThanOrEqualTo(step[2]);
                }
            }
        }
    }

    /*
     * Training is seeded (initial weights, window order) but not reproducible run to run: two trainings with the
     * same seed differed by 0.0000x in most full suites and by 3.8% once in a clean CI run, so TensorFlow's CPU
     * execution itself is not deterministic here. What must hold is that the seed matters.
     */
    @Test
    void anotherSeedGivesAnotherModel() {
        List<SeriesHistory> train = SyntheticDemand.weekly(6, 50, 5L);
        LstmConfig config = small().withTraining(2, 32, 0.01, 4, 99L, H).withServing(256, 1);
        try (LstmModel a = new LstmTrainer(config).train(train, null);
             LstmModel c = new LstmTrainer(config.withTraining(2, 32, 0.01, 4, 100L, H)).train(train, null)) {
            float[] pa = a.predict(a.encoder().encode(train));
            assertThat(relativeDifference(c.predict(c.encoder().encode(train)), pa)).isGreaterThan(1e-2);
        }
    }

    /** Largest absolute difference over the largest magnitude of {@code reference}. */
    static double relativeDifference(float[] values, float[] reference) {
        assertThat(values).hasSameSizeAs(reference);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < values.length; i++) {
            diff = Math.max(diff, Math.abs(values[i] - reference[i]));
            scale = Math.max(scale, Math.abs(reference[i]));
        }
        return diff / Math.max(scale, 1e-9);
    }

    @Test
    void listenerHearsEveryEpochInOrderAndNoValidationLossWithoutAHoldout() {
        List<SeriesHistory> train = SyntheticDemand.weekly(4, 40, 2L);
        List<Integer> epochs = new ArrayList<>();
        List<Double> validation = new ArrayList<>();
        TrainingListener listener = (epoch, max, trainLoss, validationLoss) -> {
            epochs.add(epoch);
            validation.add(validationLoss);
            assertThat(max).isEqualTo(3);
        };
        try (LstmModel model = new LstmTrainer(small().withTraining(3, 64, 0.01, 4, 1L, 0)).train(train, listener)) {
            assertThat(epochs).containsExactly(1, 2, 3);
            assertThat(model.card().trainer()).containsEntry("epochsRun", 3).containsEntry("validationWindows", 0);
            assertThat(validation).allMatch(v -> v.isNaN());
        }
    }

    @Test
    void earlyStoppingEndsTrainingWhenValidationStopsImproving() {
        List<SeriesHistory> train = SyntheticDemand.weekly(4, 40, 2L);
        List<Double> validation = new ArrayList<>();
        // A huge learning rate makes validation loss erratic, so patience 1 must stop well before 40 epochs.
        LstmConfig config = small().withTraining(40, 16, 0.5, 1, 1L, H);
        try (LstmModel model = new LstmTrainer(config).train(train, (e, m, t, v) -> validation.add(v))) {
            assertThat(validation.size()).isLessThan(40);
            assertThat(validation).allMatch(Double::isFinite);
            assertThat(model.card().trainer().get("bestEpoch")).isEqualTo(indexOfMin(validation) + 1);
        }
    }

    @Test
    void tooShortHistoriesAreRefusedWithTheNeededLength() {
        // 10 buckets cannot hold out 7 for validation besides a 7-bucket window, but train without the split
        // (AnyHorizonTest); 7 buckets leave no window at all.
        List<SeriesHistory> train = SyntheticDemand.weekly(3, 7, 2L);
        assertThatThrownBy(() -> new LstmTrainer(small()).train(train, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than horizon = 7 buckets");
    }

    @Test
    void configNamesTheBadValue() {
        assertThatThrownBy(() -> small().withShape(0, 7, 1, 16, 8)).hasMessageContaining("lookback")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> small().withQuantiles(0.5, 0.1)).hasMessageContaining("ascending");
        assertThatThrownBy(() -> small().withQuantiles(0.5, 1.0)).hasMessageContaining("(0, 1)")
                .hasMessageContaining("1.0");
        assertThatThrownBy(() -> small().withTraining(5, 64, 2.0, 4, 1L, 7)).hasMessageContaining("learningRate")
                .hasMessageContaining("2.0");
        assertThatThrownBy(() -> small().withTraining(5, 64, 0.01, 4, 1L, 3)).hasMessageContaining("validationBuckets")
                .hasMessageContaining("3");
        assertThatThrownBy(() -> small().withServing(0, 1)).hasMessageContaining("inferenceBatchSize");
    }

    private static int indexOfMin(List<Double> values) {
        int best = 0;
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) < values.get(best)) {
                best = i;
            }
        }
        return best;
    }
}
