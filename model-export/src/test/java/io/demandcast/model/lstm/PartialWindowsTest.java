package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LstmConfig#partialWindows()}: training windows whose future is only partly observed carry NaN targets
 * after the last bucket they may see, the loss skips them, and no training window sees a validation bucket.
 */
class PartialWindowsTest {

    private static final int L = 21;
    private static final int H = LstmTrainerTest.H;

    @Test
    void targetsAfterTheirEndAreNanAndTheRestAreTheUnits() {
        SeriesHistory history = SyntheticDemand.weekly(1, 40, 3L).get(0);
        FeatureEncoder encoder = new FeatureEncoder(Bucket.DAY, L, H, List.of());
        EncodedBatch b = encoder.encodeWindows(List.of(history), new int[] {36}, new int[] {40});
        for (int s = 0; s < H; s++) {
            if (s < 4) {
                assertThat(b.target(0, s)).isEqualTo((float) history.units()[36 + s]);
            } else {
                assertThat(b.target(0, s)).as("step %d is after the history", s).isNaN();
            }
        }
        assertThatThrownBy(() -> encoder.encodeWindows(List.of(history), new int[] {36}, new int[] {41}))
                .hasMessageContaining("window origin 36 with targets up to 41 does not fit a history of 40");
    }

    @Test
    void trainingWindowsReachTheValidationSplitButNeverTargetIt() {
        List<SeriesHistory> histories = SyntheticDemand.weekly(2, 40, 3L);
        TrainingWindows whole = new TrainingWindows(histories, H, H);
        TrainingWindows partial = new TrainingWindows(histories, H, H, 4);
        // origins 1..26 with whole futures before the 7 validation buckets; 1..29 with at least 4 targets
        assertThat(whole.trainingCount()).isEqualTo(2 * 26);
        assertThat(partial.trainingCount()).isEqualTo(2 * 29);
        List<TrainingWindows.Window> epoch = partial.epoch(new Random(1), 0);
        assertThat(epoch).allSatisfy(w -> {
            assertThat(w.targetEnd()).isLessThanOrEqualTo(40 - H);
            assertThat(w.targetEnd() - w.origin()).isBetween(4, H);
        });
        assertThat(partial.validation()).isEqualTo(whole.validation());
        assertThatThrownBy(() -> new TrainingWindows(histories, H, H, 0)).hasMessageContaining("minTargets");
    }

    @Test
    void theLossIsThePinballOverTheObservedTargetsOnly() {
        SeriesHistory history = SyntheticDemand.weekly(1, 40, 5L).get(0);
        LstmConfig config = LstmTrainerTest.small().withEnsemble(1, false);
        FeatureEncoder encoder = new FeatureEncoder(config.bucket(), L, H, List.of());
        EncodedBatch b = encoder.encodeWindows(List.of(history), new int[] {35}, new int[] {38});
        double[] levels = config.quantiles();
        int q = levels.length;
        float[][] v = FreshNetwork.run(config, encoder, b, Map.of(), LstmGraph.LOSS, "uncalibrated", "scale",
                "train_loss");
        float loss = v[0][0];
        float[] out = v[1];
        float scale = v[2][0];
        double expected = 0;
        for (int s = 0; s < 3; s++) {
            for (int k = 0; k < q; k++) {
                double error = (history.units()[35 + s] - out[s * q + k]) / scale;
                expected += Math.max(levels[k] * error, (levels[k] - 1) * error);
            }
        }
        expected /= 3 * q;
        assertThat((double) loss).isCloseTo(expected, within(1e-5 * Math.max(1, expected)));
        assertThat(v[3][0]).as("a training step on it stays finite").isFinite();
    }

    @Test
    void aModelTrainsWithPartialWindowsAndRecordsIt() {
        List<SeriesHistory> train = SyntheticDemand.weekly(6, 50, 9L);
        try (LstmModel model = new LstmTrainer(LstmTrainerTest.small().withTraining(2, 32, 0.01, 2, 1L, H)
                .withEnsemble(1, false).withRefit(true).withPartialWindows(true)).train(train, null)) {
            // 50 - 7 validation buckets, at least 4 of 7 targets: origins 1..39 of each series
            assertThat(model.card().trainer()).containsEntry("partialWindows", true)
                    .containsEntry("trainingWindows", 6 * 39);
            float[] forecast = model.predict(model.encoder().encode(train));
            for (float v : forecast) {
                assertThat(v).isFinite().isGreaterThanOrEqualTo(0f);
            }
        }
    }
}
