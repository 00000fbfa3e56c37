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
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

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
            assertThat(model.card().trainer()).containsEntry("members", 3).containsEntry("residual", true);
            servesAscendingNonNegativeQuantilesAndReloadsIdentically(model, asked, tmp.resolve("ensemble"));
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
    void anAssembledEnsembleForecastsTheCombinationOfItsMembersQuantiles() {
        List<SeriesHistory> train = SyntheticDemand.weekly(10, 70, 4L);
        LstmConfig config = LstmTrainerTest.small().withTraining(3, 64, 0.01, 2, 9L, H).withServing(64, 1)
                .withRefit(true).withEnsemble(3, false);
        try (LstmModel ensemble = new LstmTrainer(config).train(train, null)) {
            EncodedBatch batch = ensemble.encoder().encode(train);
            float[] combined = ensemble.predict(batch);
            List<float[]> members = memberOutputs(ensemble, batch, 3);
            assertThat(LstmTrainerTest.relativeDifference(members.get(1), members.get(0))).as("members differ").isGreaterThan(1e-2);
            int q = 3;
            double worst = 0;
            double scale = 0;
            for (int row = 0; row * q < combined.length; row++) {
                int p50 = row * q + 1;
                double[] own = {members.get(0)[p50], members.get(1)[p50], members.get(2)[p50]};
                double expected = LstmGraph.COMBINATION == LstmGraph.Combination.MEAN
                        ? (own[0] + own[1] + own[2]) / 3 : median(own);
                worst = Math.max(worst, Math.abs(combined[p50] - expected));
                scale = Math.max(scale, Math.abs(expected));
                assertThat(combined[row * q]).isGreaterThanOrEqualTo(0f).isLessThanOrEqualTo(combined[p50]);
                assertThat(combined[p50]).isLessThanOrEqualTo(combined[row * q + 2]);
            }
            assertThat(worst / scale).as("largest P50 difference from the %s of the members, relative",
                    LstmGraph.COMBINATION.label()).isLessThan(1e-5);
        }
    }

    /*
     * TensorFlow's CPU training is not bit-reproducible here even on one thread (LstmTrainerTest): a member and
     * the single network of its seed were identical in most suites and 2% apart in one, while the networks of
     * different seeds lay 14% to 33% apart. So each member must lie within 8% of the network trained alone with
     * its seed, and nearer to it than to any other.
     */
    @Test
    void eachMemberIsTheNetworkTrainedAloneWithItsOwnSeed() {
        List<SeriesHistory> train = SyntheticDemand.weekly(10, 70, 4L);
        LstmConfig config = LstmTrainerTest.small().withTraining(3, 64, 0.01, 2, 9L, H).withServing(64, 1)
                .withRefit(true);
        try (LstmModel ensemble = new LstmTrainer(config.withEnsemble(3, false)).train(train, null)) {
            EncodedBatch batch = ensemble.encoder().encode(train);
            List<float[]> members = memberOutputs(ensemble, batch, 3);
            List<float[]> singles = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                LstmConfig single = config.withTraining(3, 64, 0.01, 2, LstmTrainer.memberSeed(9L, m), H);
                try (LstmModel model = new LstmTrainer(single).train(train, null)) {
                    singles.add(memberOutputs(model, batch, 1).get(0));
                }
            }
            for (int m = 0; m < 3; m++) {
                double own = LstmTrainerTest.relativeDifference(members.get(m), singles.get(m));
                assertThat(own).as("member %d against the single network of its seed", m).isLessThan(0.08);
                for (int other = 0; other < 3; other++) {
                    if (other != m) {
                        assertThat(LstmTrainerTest.relativeDifference(members.get(m), singles.get(other)))
                                .as("member %d against the single network of member %d's seed", m, other)
                                .isGreaterThan(own);
                    }
                }
            }
        }
    }

    /** Each member's own quantiles [B*H, Q] in natural units, fetched from the model's session. */
    private static List<float[]> memberOutputs(LstmModel model, EncodedBatch batch, int members) {
        List<float[]> out = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            try (TFloat32 past = LstmModel.tensor(batch.past(), batch.size(), batch.lookback(), batch.pastWidth());
                 TFloat32 future = LstmModel.tensor(batch.future(), batch.size(), batch.horizon(),
                         batch.futureWidth());
                 Result r = model.session().runner().feed(LstmGraph.PAST, past).feed(LstmGraph.FUTURE, future)
                         .fetch(LstmGraph.memberPrefix(members, m) + LstmGraph.MEMBER_QUANTILES).run()) {
                out.add(LstmModel.floats(r));
            }
        }
        return out;
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
            assertThat(LstmTrainerTest.relativeDifference(tuned, trained)).as("fine-tuning moved the forecasts").isGreaterThan(1e-4);
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

    /**
     * Every forecast of {@code asked} is finite, non-negative and ascending (P10 <= P50 <= P90), and the model
     * exported to {@code dir} and loaded again predicts the same numbers.
     */
    static void servesAscendingNonNegativeQuantilesAndReloadsIdentically(LstmModel model, List<SeriesHistory> asked,
                                                                         Path dir) throws IOException {
        for (QuantileForecast f : model.forecast(asked, model.encoder().horizon())) {
            assertThat(f.isFinite()).isTrue();
            for (double[] step : f.values()) {
                assertThat(step[0]).isGreaterThanOrEqualTo(0);
                assertThat(step[0]).isLessThanOrEqualTo(step[1]);
                assertThat(step[1]).isLessThanOrEqualTo(step[2]);
            }
        }
        EncodedBatch batch = model.encoder().encode(asked);
        float[] before = model.predict(batch);
        model.export(dir);
        try (LstmModel loaded = LstmModel.load(dir, 64, 1)) {
            assertThat(loaded.predict(batch)).containsExactly(before);
        }
    }
}
