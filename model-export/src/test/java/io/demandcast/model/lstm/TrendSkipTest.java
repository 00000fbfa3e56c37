package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * {@link LstmConfig#trendSkip()}: the damped-trend path's arithmetic on hand-computed monthly windows, the gate
 * that lets the network switch it off, and that the gate and damping learn and survive export.
 */
class TrendSkipTest {

    private static final int L = 24;
    private static final int H = 6;
    /** Zero-mean monthly profile. */
    private static final double[] SEASON = {5, -3, 0, 4, -6, 2, 1, -1, 3, -4, 0, -1};

    private static LstmConfig config() {
        return LstmConfig.defaults(Bucket.MONTH).withShape(L, H, 1, 8, 4).withTraining(2, 16, 0.01, 2, 3L, H)
                .withEnsemble(1, false).withServing(64, 1).withTrendSkip(true);
    }

    private static SeriesHistory monthly(int length, IntToDoubleFunction value) {
        double[] units = new double[length];
        for (int t = 0; t < length; t++) {
            units[t] = value.applyAsDouble(t);
        }
        return SeriesHistory.of("s", Bucket.MONTH, Instant.parse("2020-01-01T00:00:00Z"), units);
    }

    /** The named tensors of a one-member graph, fetched for one window. */
    private record Fetched(float scale, float level, float slope, float[] seasonal, float phi, float[] damping,
                           float[] path, float gate, float[] raw, float[] quantiles) {
    }

    private static Fetched fetch(SeriesHistory history, int origin, float gateBias) {
        return fetch(history, origin, gateBias, Float.NaN);
    }

    /** As {@link #fetch(SeriesHistory, int, float)}, with the smoothing's alpha set through its bias too. */
    private static Fetched fetch(SeriesHistory history, int origin, float gateBias, float alphaBias) {
        float[][] v = run(config(), history, origin, gateBias, alphaBias, "scale", "trend_level", "trend_slope",
                "trend_seasonal", "trend_phi", "trend_damping", "trend_path", "trend_gate", "head_raw",
                LstmGraph.MEMBER_QUANTILES);
        return new Fetched(v[0][0], v[1][0], v[2][0], v[3], v[4][0], v[5], v[6], v[7][0], v[8], v[9]);
    }

    /**
     * The named tensors of a fresh network of {@code config} (weights from its seed; the gate's and alpha's bias
     * set where not NaN) for one window of {@code history}.
     */
    private static float[][] run(LstmConfig config, SeriesHistory history, int origin, float gateBias,
                                 float alphaBias, String... names) {
        FeatureEncoder encoder = new FeatureEncoder(config.bucket(), config.lookback(), config.horizon(), List.of());
        EncodedBatch b = encoder.encodeWindows(List.of(history), new int[] {origin});
        Map<String, Float> biases = new HashMap<>();
        if (!Float.isNaN(gateBias)) {
            biases.put("trend_gate_b", gateBias);
        }
        if (!Float.isNaN(alphaBias)) {
            biases.put("trend_alpha_b", alphaBias);
        }
        return FreshNetwork.run(config, encoder, b, biases, names);
    }

    @Test
    void aLinearSeasonalWindowGivesItsLevelSlopeAndSeasonalIndexAndAnUndampedPathHitsTheFuture() {
        SeriesHistory history = monthly(40, t -> 100 + 2 * t + SEASON[t % 12]);
        int origin = 30;   // window: buckets 6..29, targets 30..35
        Fetched f = fetch(history, origin, Float.NaN);
        double windowMean = 0;
        for (int t = origin - L; t < origin; t++) {
            windowMean += history.units()[t] / L;
        }
        assertThat(f.scale()).isCloseTo((float) windowMean, within(1e-3f));
        double s = f.scale();
        assertThat(f.slope() * s).as("slope in units").isCloseTo(2, within(1e-3));
        assertThat(f.level() * s).as("level at the last bucket, trend only").isCloseTo(100 + 2 * 29, within(1e-2));
        for (int h = 0; h < H; h++) {
            assertThat(f.seasonal()[h] * s).as("seasonal index of step %d", h)
                    .isCloseTo(SEASON[(origin + h) % 12], within(1e-2));
            // with phi = 1 the path is the series' own continuation
            double undamped = f.level() + f.slope() * (h + 1) + f.seasonal()[h];
            assertThat(undamped * s).as("undamped path at step %d", h)
                    .isCloseTo(history.units()[origin + h], within(2e-2));
        }
    }

    @Test
    void theSmoothedLevelLeavesACleanTrendAloneAndFollowsAJumpInTheLastBucketAsFarAsAlphaSays() {
        SeriesHistory clean = monthly(40, t -> 100 + 2 * t + SEASON[t % 12]);
        for (float alphaBias : new float[] {-40f, 0f, 40f}) {
            Fetched f = fetch(clean, 30, Float.NaN, alphaBias);
            for (int h = 0; h < H; h++) {
                assertThat((double) f.path()[h]).as("no residuals to follow, alpha bias %s, step %d", alphaBias, h)
                        .isCloseTo(f.level() + f.slope() * f.damping()[h] + f.seasonal()[h], within(1e-4));
            }
        }
        // The window's last bucket (29, window position 23) 24 units up. By hand: the last block's mean rises by
        // 2, the slope by 24/144, the level by 2 + 5.5 x 24/144. Position 23 is the centre of no whole season in
        // the window, so no index sees it directly; it is an end of the season around position 17, whose
        // average rises by 24 x 0.5 / 12 = 1, so phase 5's index falls by 1 and, after centring, every other
        // phase's (23's among them) rises by 1/12. What the line and the index leave of the jump at position 23:
        // 24 - (2 + 5.5 x 24/144) - 1/12 = 21.
        SeriesHistory jump = monthly(40, t -> 100 + 2 * t + SEASON[t % 12] + (t == 29 ? 24 : 0));
        Fetched block = fetch(jump, 30, Float.NaN, -40f);
        Fetched last = fetch(jump, 30, Float.NaN, 40f);
        for (int h = 0; h < H; h++) {
            double blockPath = block.level() + block.slope() * block.damping()[h] + block.seasonal()[h];
            assertThat((double) block.path()[h]).as("alpha near 0: the block level, step %d", h)
                    .isCloseTo(blockPath, within(1e-4));
            assertThat((last.path()[h] - block.path()[h]) * (double) block.scale())
                    .as("alpha near 1: the level takes the last bucket's residual, step %d", h)
                    .isCloseTo(21, within(0.05));
        }
    }

    @Test
    void thePathDampsTheSlopeByPowersOfPhi() {
        Fetched f = fetch(monthly(40, t -> 100 + 2 * t + SEASON[t % 12]), 30, Float.NaN);
        assertThat(f.phi()).isBetween(LstmGraph.PHI_MIN, 1f);
        double sum = 0;
        for (int h = 0; h < H; h++) {
            sum += Math.pow(f.phi(), h + 1);
            assertThat((double) f.damping()[h]).as("sum of phi^i, i = 1..%d", h + 1).isCloseTo(sum, within(1e-5));
            assertThat((double) f.path()[h]).isCloseTo(f.level() + f.slope() * sum + f.seasonal()[h], within(1e-5));
        }
        assertThat(f.damping()[H - 1]).as("damped: below the undamped H").isLessThan(H);
    }

    @Test
    void aShortHistoryGetsItsSlopeFromTheTimesOfItsObservedBuckets() {
        // 15 observed months: the earlier block holds only its last 3, centred on window position 10, not 6
        Fetched f = fetch(monthly(21, t -> 50 + 3 * t), 15, Float.NaN);
        assertThat((double) f.slope() * f.scale()).isCloseTo(3, within(1e-3));
        assertThat((double) f.level() * f.scale()).isCloseTo(50 + 3 * 14, within(1e-2));
        for (float seasonal : f.seasonal()) {
            assertThat(seasonal * f.scale()).isCloseTo(0, within(1e-2f));
        }
    }

    @Test
    void aHistoryWithinOneBlockHasNoSlopeAndItsMeanAsLevel() {
        Fetched f = fetch(monthly(16, t -> 50 + 3 * t), 10, Float.NaN);
        assertThat(f.slope()).isZero();
        assertThat((double) f.level() * f.scale()).isCloseTo(50 + 3 * 4.5, within(1e-2));
    }

    @Test
    void theGateSwitchesThePathOffAndOn() {
        SeriesHistory history = monthly(40, t -> 100 + 2 * t + SEASON[t % 12]);
        int median = LstmGraph.medianIndex(config().quantiles());
        int q = config().quantiles().length;
        Fetched off = fetch(history, 30, -40f);
        Fetched on = fetch(history, 30, 40f);
        assertThat(off.gate()).isLessThan(1e-6f);
        assertThat(on.gate()).isGreaterThan(1 - 1e-6f);
        for (int h = 0; h < H; h++) {
            // member quantiles are in natural units: the median over the scale is raw + g * path
            assertThat((double) off.quantiles()[h * q + median] / off.scale())
                    .as("gate closed: the head's own median at step %d", h)
                    .isCloseTo(off.raw()[h * q + median], within(1e-4));
            assertThat((double) on.quantiles()[h * q + median] / on.scale())
                    .as("gate open: the head's median plus the path at step %d", h)
                    .isCloseTo(on.raw()[h * q + median] + on.path()[h], within(1e-4));
            for (int k = 1; k < q; k++) {
                assertThat(on.quantiles()[h * q + k]).isGreaterThanOrEqualTo(on.quantiles()[h * q + k - 1]);
                assertThat(off.quantiles()[h * q + k]).isGreaterThanOrEqualTo(off.quantiles()[h * q + k - 1]);
            }
        }
    }

    @Test
    void trainingMovesTheGateAndTheDampingAndTheModelReloadsIdentically(@TempDir Path tmp) throws IOException {
        List<SeriesHistory> train = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            double slope = (s % 4 - 1.5) * 1.5;
            int offset = s;
            train.add(monthly(60, t -> Math.max(0, 80 + 5 * offset + slope * t + SEASON[(t + offset) % 12])));
        }
        LstmConfig config = config().withTraining(3, 16, 0.01, 2, 3L, H);
        float[] initialGate;
        float[] initialPhi;
        try (Graph graph = new Graph()) {
            LstmGraph network = new LstmGraph(graph, FeatureEncoder.forHistories(Bucket.MONTH, L, H, train), config);
            try (Session session = new Session(graph)) {
                session.initialize();
                initialGate = weightValues(session, "trend_gate_w");
                initialPhi = weightValues(session, "trend_phi_w");
            }
        }
        try (LstmModel model = new LstmTrainer(config).train(train, null)) {
            assertThat(model.card().trainer()).containsEntry("trendSkip", true);
            assertThat(LstmTrainerTest.relativeDifference(weightValues(model.session(), "trend_gate_w"),
                    initialGate)).as("the gate's weights learn").isGreaterThan(1e-4);
            assertThat(LstmTrainerTest.relativeDifference(weightValues(model.session(), "trend_phi_w"),
                    initialPhi)).as("the damping's weights learn").isGreaterThan(1e-4);
            List<SeriesHistory> asked = new ArrayList<>(train);
            asked.add(train.get(0).head(2));   // a new product: no slope yet
            asked.add(train.get(1).head(0));   // one with no history at all
            LstmEnsembleTest.servesAscendingNonNegativeQuantilesAndReloadsIdentically(model, asked,
                    tmp.resolve("trend"));
        }
    }

    @Test
    void theLastPlainMembersOfAnEnsembleGoWithoutTheTrendSkipButTheFirstMemberAlwaysKeepsIt() {
        LstmConfig three = config().withEnsemble(3, false).withPlainMembers(1);
        assertThat(three.trendSkip(0)).isTrue();
        assertThat(three.trendSkip(1)).isTrue();
        assertThat(three.trendSkip(2)).isFalse();
        assertThat(three.withPlainMembers(5).trendSkip(0)).as("more plain members than members").isTrue();
        assertThat(three.withPlainMembers(5).trendSkip(1)).isFalse();
        assertThat(three.withEnsemble(1, false).trendSkip(0)).as("a single network").isTrue();
        assertThat(three.withTrendSkip(false).trendSkip(0)).isFalse();
        assertThatThrownBy(() -> three.withPlainMembers(-1)).hasMessageContaining("plainMembers");
    }

    @Test
    void anEnsembleWithAPlainMemberTrainsItWithoutThePathAndReloadsIdentically(@TempDir Path tmp)
            throws IOException {
        List<SeriesHistory> train = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            double slope = (s % 4 - 1.5) * 1.5;
            int offset = s;
            train.add(monthly(48, t -> Math.max(0, 80 + 5 * offset + slope * t + SEASON[(t + offset) % 12])));
        }
        LstmConfig config = config().withEnsemble(2, false).withPlainMembers(1);
        try (LstmModel model = new LstmTrainer(config).train(train, null)) {
            assertThat(model.card().trainer()).containsEntry("trendSkip", true).containsEntry("plainMembers", 1);
            assertThat(model.graph().operation("m0_trend_gate_w")).as("member 0 has the path").isNotNull();
            assertThat(model.graph().operation("m0_trend_alpha_w")).isNotNull();
            assertThat(model.graph().operation("m1_head_out")).as("member 1 is there").isNotNull();
            assertThat(model.graph().operation("m1_trend_gate_w")).as("member 1 is plain").isNull();
            LstmEnsembleTest.servesAscendingNonNegativeQuantilesAndReloadsIdentically(model, train,
                    tmp.resolve("mixed"));
        }
    }

    /** The served quantiles of a fresh network of {@code config} for one window, the trend path's gate open. */
    private static float[] served(LstmConfig config, SeriesHistory history, int origin) {
        return run(config, history, origin, config.trendSkip() ? 40f : Float.NaN, Float.NaN,
                LstmGraph.QUANTILES)[0];
    }

    @Test
    void theNetworkUnrollsOnlyTheWindowsLastRecurrentBucketsWhileThePathReadsTheWholeWindow() {
        // A 36-bucket window of which the network unrolls the last 24: at origin 42 the window is buckets 6..41,
        // the unrolled part 18..41. Two histories that differ only in buckets 6..17 (a shifted early year).
        LstmConfig plain = config().withShape(36, H, 1, 8, 4).withRecurrentLookback(24).withTrendSkip(false);
        SeriesHistory history = monthly(48, t -> 100 + 2 * t + SEASON[t % 12]);
        SeriesHistory earlyShift = monthly(48, t -> 100 + 2 * t + SEASON[t % 12] + (t < 18 ? 30 : 0)
                + (t == 11 ? 25 : 0));
        assertThat(served(plain, earlyShift, 42)).as("without the path, the early buckets are never read")
                .containsExactly(served(plain, history, 42));
        LstmConfig withPath = plain.withTrendSkip(true);
        assertThat(served(withPath, earlyShift, 42)).as("the path's seasonal index reads them")
                .isNotEqualTo(served(withPath, history, 42));
        assertThat(served(plain.withRecurrentLookback(0), earlyShift, 42)).as("0: the network unrolls all 36")
                .isNotEqualTo(served(plain.withRecurrentLookback(0), history, 42));
    }

    @Test
    void theTrendSkipIsOnByDefaultForMonthBucketsOnly() {
        assertThat(LstmConfig.defaults(Bucket.MONTH).lookback()).isEqualTo(72);
        assertThat(LstmConfig.defaults(Bucket.MONTH).recurrentLookback()).isEqualTo(24);
        assertThat(LstmConfig.defaults(Bucket.DAY).recurrentLookback()).as("day unrolls its whole window").isZero();
        assertThat(LstmConfig.defaults(Bucket.MONTH).plainMembers()).as("one of the three members is plain")
                .isEqualTo(1);
        assertThat(LstmConfig.defaults(Bucket.MONTH).members()).isEqualTo(3);
        assertThat(LstmConfig.defaults(Bucket.MONTH).trendSkip()).isTrue();
        assertThat(LstmConfig.defaults(Bucket.WEEK).trendSkip()).isFalse();
        assertThat(LstmConfig.defaults(Bucket.DAY).trendSkip()).isFalse();
        assertThat(LstmConfig.defaults(Bucket.HOUR).trendSkip()).isFalse();
        assertThat(LstmConfig.defaults(Bucket.MONTH).partialWindows()).isFalse();
    }

    private static float[] weightValues(Session session, String name) {
        try (Result r = session.runner().fetch(name).run()) {
            return FreshNetwork.values(r, 0);
        }
    }
}
