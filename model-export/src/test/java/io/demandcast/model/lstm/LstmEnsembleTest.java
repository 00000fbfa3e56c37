package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.encode.EncodedBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ensemble of members in one graph, the residual head, the band's calibration and the refit. */
class LstmEnsembleTest {

    private static final int H = LstmTrainerTest.H;

    @Test
    void anEnsembleWithAResidualHeadServesAscendingNonNegativeQuantilesAndReloadsIdentically(@TempDir Path tmp)
            throws IOException {
        List<SeriesHistory> train = SyntheticDemand.weekly(10, 70, 21L);
        LstmConfig config = LstmTrainerTest.small().withTraining(3, 64, 0.01, 2, 5L, H).withServing(64, 1)
                .withEnsemble(3, true);
        try (LstmModel model = new LstmTrainer(config).train(train, null)) {
            List<SeriesHistory> asked = new ArrayList<>(train);
            asked.add(train.get(0).head(1));   // a new product: the anchor falls back to what little it has
            for (QuantileForecast f : model.forecast(asked, H)) {
                assertThat(f.isFinite()).isTrue();
                for (double[] step : f.values()) {
                    assertThat(step[0]).isGreaterThanOrEqualTo(0);
                    assertThat(step[0]).isLessThanOrEqualTo(step[1]);
                    assertThat(step[1]).isLessThanOrEqualTo(step[2]);
                }
            }
            assertThat(model.card().trainer()).containsEntry("members", 3).containsEntry("residual", true);
            EncodedBatch batch = model.encoder().encode(asked);
            float[] before = model.predict(batch);
            model.export(tmp.resolve("ensemble"));
            try (LstmModel loaded = LstmModel.load(tmp.resolve("ensemble"), 64, 1)) {
                assertThat(loaded.predict(batch)).containsExactly(before);
            }
        }
    }

    @Test
    void theCardRecordsAWideningOfTheBandAndARefitAsLongAsTheBestEpoch() {
        List<SeriesHistory> train = SyntheticDemand.weekly(12, 80, 8L);
        try (LstmModel model = new LstmTrainer(LstmTrainerTest.small().withTraining(4, 64, 0.01, 2, 3L, H)
                .withServing(64, 1).withRefit(true)).train(train, null)) {
            Map<String, Object> settings = model.card().trainer();
            assertThat(((Number) settings.get("bandWideningLower")).doubleValue()).isBetween(1.0, 4.0);
            assertThat(((Number) settings.get("bandWideningUpper")).doubleValue()).isBetween(1.0, 4.0);
            assertThat(((Number) settings.get("refitEpochs")).intValue())
                    .isEqualTo(((Number) settings.get("bestEpoch")).intValue()).isPositive();
        }
    }

    @Test
    void membersReadEvenlySpacedLookbacksFromTheWholeWindowDownToHalfOfIt() {
        assertThat(lookbacks(24, 3)).containsExactly(24, 18, 12);
        assertThat(lookbacks(28, 3)).containsExactly(28, 21, 14);
        assertThat(lookbacks(7, 2)).containsExactly(7, 4);
        assertThat(lookbacks(28, 1)).containsExactly(28);
        assertThat(lookbacks(1, 3)).containsExactly(1, 1, 1);
    }

    @Test
    void anEnsembleOfDifferentLookbacksReloadsIdenticallyAndFineTunesThroughTrainStep(@TempDir Path tmp)
            throws IOException {
        List<SeriesHistory> train = SyntheticDemand.weekly(10, 70, 4L);
        LstmConfig config = LstmTrainerTest.small().withTraining(3, 64, 0.01, 2, 9L, H).withServing(64, 1)
                .withEnsemble(3, false);
        EncodedBatch batch;
        float[] trained;
        try (LstmModel model = new LstmTrainer(config).train(train, null)) {
            assertThat(model.card().trainer()).containsEntry("memberLookbacks", List.of(21, 16, 11));
            batch = model.encoder().encode(train);
            trained = model.predict(batch);
            for (int i = 0; i < trained.length; i += 3) {
                assertThat(trained[i]).isGreaterThanOrEqualTo(0f).isLessThanOrEqualTo(trained[i + 1]);
                assertThat(trained[i + 1]).isLessThanOrEqualTo(trained[i + 2]);
            }
            model.export(tmp.resolve("v1"));
        }
        try (LstmModel loaded = LstmModel.load(tmp.resolve("v1"), 64, 1)) {
            assertThat(loaded.predict(batch)).containsExactly(trained);
            double loss = loaded.fineTune(SyntheticDemand.weekly(10, 70, 5L), 1);
            assertThat(loss).isFinite().isPositive();
            float[] tuned = loaded.predict(batch);
            assertThat(tuned).isNotEqualTo(trained);
            loaded.export(tmp.resolve("v2"));
            try (LstmModel again = LstmModel.load(tmp.resolve("v2"), 64, 1)) {
                assertThat(again.predict(batch)).containsExactly(tuned);
            }
        }
    }

    private static int[] lookbacks(int lookback, int members) {
        int[] out = new int[members];
        for (int m = 0; m < members; m++) {
            out[m] = LstmGraph.memberLookback(lookback, members, m);
        }
        return out;
    }

    @Test
    void anEnsembleNeedsAtLeastOneMember() {
        assertThatThrownBy(() -> LstmTrainerTest.small().withEnsemble(0, false)).hasMessageContaining("members")
                .hasMessageContaining("0");
    }
}
