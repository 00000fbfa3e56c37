package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainingListener;
import io.demandcast.model.encode.EncodedBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ensemble of separately trained members assembled in one graph, the residual head, the band's calibration
 * and the refit.
 */
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
    void anAssembledEnsembleForecastsTheCombinationOfItsSeparatelyTrainedMembersMedians() {
        List<SeriesHistory> train = SyntheticDemand.weekly(10, 70, 4L);
        // One thread: the members trained inside the ensemble and the single networks trained here must follow
        // the same arithmetic, which TensorFlow's multi-threaded reductions do not promise.
        LstmConfig config = LstmTrainerTest.small().withTraining(3, 64, 0.01, 2, 9L, H).withServing(64, 1)
                .withRefit(true);
        try (LstmModel ensemble = new LstmTrainer(config.withEnsemble(3, false)).train(train, null)) {
            EncodedBatch batch = ensemble.encoder().encode(train);
            float[] combined = ensemble.predict(batch);
            List<float[]> singles = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                LstmConfig single = config.withTraining(3, 64, 0.01, 2, LstmTrainer.memberSeed(9L, m), H);
                try (LstmModel model = new LstmTrainer(single).train(train, null)) {
                    singles.add(model.predict(batch));
                }
            }
            assertThat(relativeDifference(singles.get(1), singles.get(0))).as("members differ").isGreaterThan(1e-2);
            int q = 3;
            double worst = 0;
            double scale = 0;
            for (int row = 0; row * q < combined.length; row++) {
                int p50 = row * q + 1;
                double[] members = {singles.get(0)[p50], singles.get(1)[p50], singles.get(2)[p50]};
                double expected = LstmGraph.COMBINATION == LstmGraph.Combination.MEAN
                        ? (members[0] + members[1] + members[2]) / 3 : median(members);
                worst = Math.max(worst, Math.abs(combined[p50] - expected));
                scale = Math.max(scale, Math.abs(expected));
                assertThat(combined[row * q]).isGreaterThanOrEqualTo(0f).isLessThanOrEqualTo(combined[p50]);
                assertThat(combined[p50]).isLessThanOrEqualTo(combined[row * q + 2]);
            }
            assertThat(worst / scale).as("largest P50 difference from the %s of the members, relative",
                    LstmGraph.COMBINATION.label()).isLessThan(1e-4);
        }
    }

    @Test
    void theCardRecordsEveryMemberWithItsOwnSeedAndEarlyStopping() {
        List<SeriesHistory> train = SyntheticDemand.weekly(8, 60, 6L);
        LstmConfig config = LstmTrainerTest.small().withTraining(3, 64, 0.01, 2, 11L, H).withServing(64, 1)
                .withRefit(true).withEnsemble(3, false);
        List<String> heard = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onEpoch(int epoch, int maxEpochs, double trainLoss, double validationLoss) {
                heard.add("epoch " + epoch);
            }

            @Override
            public void onMember(int member, int members, long seed) {
                heard.add("member " + member + "/" + members + " seed " + seed);
            }
        };
        try (LstmModel model = new LstmTrainer(config).train(train, listener)) {
            Map<String, Object> settings = model.card().trainer();
            assertThat(settings).containsEntry("members", 3).containsEntry("memberTraining", "separate")
                    .containsEntry("memberCombination", LstmGraph.COMBINATION.label()).containsEntry("seed", 11L);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> fits = (List<Map<String, Object>>) settings.get("memberFits");
            assertThat(fits).extracting(f -> ((Number) f.get("seed")).longValue()).containsExactly(11L,
                    LstmTrainer.memberSeed(11L, 1), LstmTrainer.memberSeed(11L, 2));
            List<String> expected = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                Map<String, Object> fit = fits.get(m);
                assertThat(((Number) fit.get("refitEpochs")).intValue()).isEqualTo(fit.get("bestEpoch"));
                expected.add("member " + (m + 1) + "/3 seed " + fit.get("seed"));
                for (int e = 1; e <= ((Number) fit.get("epochsRun")).intValue(); e++) {
                    expected.add("epoch " + e);
                }
            }
            assertThat(heard).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aSingleNetworkHearsNoMemberAndItsCardKeepsItsFitAtTheTop() {
        List<SeriesHistory> train = SyntheticDemand.weekly(6, 50, 6L);
        List<Integer> members = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onEpoch(int epoch, int maxEpochs, double trainLoss, double validationLoss) {
            }

            @Override
            public void onMember(int member, int count, long seed) {
                members.add(member);
            }
        };
        try (LstmModel model = new LstmTrainer(LstmTrainerTest.small().withTraining(2, 64, 0.01, 2, 3L, H)
                .withServing(64, 1)).train(train, listener)) {
            assertThat(members).isEmpty();
            assertThat(model.card().trainer()).containsEntry("members", 1).containsKey("bestEpoch")
                    .doesNotContainKey("memberFits");
        }
    }

    @Test
    void aFineTunedEnsembleReexportsAndReloadsWithIdenticalForecasts(@TempDir Path tmp) throws IOException {
        List<SeriesHistory> train = SyntheticDemand.weekly(10, 70, 4L);
        LstmConfig config = LstmTrainerTest.small().withTraining(3, 64, 0.01, 2, 9L, H).withServing(64, 1)
                .withEnsemble(3, false);
        EncodedBatch batch;
        float[] trained;
        try (LstmModel model = new LstmTrainer(config).train(train, null)) {
            batch = model.encoder().encode(train);
            trained = model.predict(batch);
            model.export(tmp.resolve("v1"));
        }
        try (LstmModel loaded = LstmModel.load(tmp.resolve("v1"), 64, 1)) {
            assertThat(loaded.predict(batch)).containsExactly(trained);
            assertThat(loaded.card().trainer()).containsEntry("members", 3);
            double loss = loaded.fineTune(SyntheticDemand.weekly(10, 70, 5L), 1);
            assertThat(loss).isFinite().isPositive();
            float[] tuned = loaded.predict(batch);
            assertThat(relativeDifference(tuned, trained)).as("fine-tuning moved the forecasts").isGreaterThan(1e-4);
            loaded.export(tmp.resolve("v2"));
            try (LstmModel again = LstmModel.load(tmp.resolve("v2"), 64, 1)) {
                assertThat(again.predict(batch)).containsExactly(tuned);
                assertThat(again.card().version()).isEqualTo(loaded.card().version());
                assertThat(again.card().parent()).isNotNull();
                assertThat(again.card().trainer()).containsEntry("members", 3);
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Largest absolute difference over the largest magnitude of {@code reference}. */
    private static double relativeDifference(float[] values, float[] reference) {
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
    void defaultsKeepOneNetworkWhereServingSpeedCountsAndThreeForWeekAndMonth() {
        assertThat(LstmConfig.defaults(Bucket.DAY).members()).isEqualTo(1);
        assertThat(LstmConfig.defaults(Bucket.HOUR).members()).isEqualTo(1);
        assertThat(LstmConfig.defaults(Bucket.WEEK).members()).isEqualTo(3);
        assertThat(LstmConfig.defaults(Bucket.MONTH).members()).isEqualTo(3);
    }

    @Test
    void anEnsembleNeedsAtLeastOneMember() {
        assertThatThrownBy(() -> LstmTrainerTest.small().withEnsemble(0, false)).hasMessageContaining("members")
                .hasMessageContaining("0");
    }
}
