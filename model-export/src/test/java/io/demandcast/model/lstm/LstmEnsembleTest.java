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
    void anEnsembleNeedsAtLeastOneMember() {
        assertThatThrownBy(() -> LstmTrainerTest.small().withEnsemble(0, false)).hasMessageContaining("members")
                .hasMessageContaining("0");
    }
}
