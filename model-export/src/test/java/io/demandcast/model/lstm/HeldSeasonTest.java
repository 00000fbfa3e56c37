package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LstmConfig#heldSeason()}: the network forecasts the deseasonalised series and the window's seasonal index
 * is added back to the median at every step, in members with and without the trend path.
 */
class HeldSeasonTest {

    private static final int L = 72;
    private static final int H = 24;
    /** Zero-mean monthly profile. */
    private static final double[] SEASON = {5, -3, 0, 4, -6, 2, 1, -1, 3, -4, 0, -1};

    private static LstmConfig config(boolean trendSkip) {
        return LstmConfig.defaults(Bucket.MONTH, H).withShape(L, H, 1, 8, 4).withTraining(2, 16, 0.01, 2, 3L, H)
                .withEnsemble(1, false).withServing(64, 1).withTrendSkip(trendSkip).withHeldSeason(true);
    }

    private static SeriesHistory monthly(double level, double amplitude) {
        return monthly(L, level, amplitude);
    }

    private static SeriesHistory monthly(int length, double level, double amplitude) {
        double[] units = new double[length];
        for (int t = 0; t < length; t++) {
            units[t] = level + amplitude * SEASON[t % 12];
        }
        return SeriesHistory.of("s", Bucket.MONTH, Instant.parse("2020-01-01T00:00:00Z"), units);
    }

    private static float[] memberQuantiles(LstmConfig config, SeriesHistory history) {
        FeatureEncoder encoder = new FeatureEncoder(Bucket.MONTH, L, H, List.of());
        EncodedBatch b = encoder.encode(List.of(history));
        return FreshNetwork.run(config, encoder, b, Map.of(), LstmGraph.MEMBER_QUANTILES)[0];
    }

    /**
     * A flat series and the same series plus an exact yearly profile have the same mean and, once the profile is
     * taken out, the same inputs: their medians differ by the profile at every step, however far ahead.
     */
    @Test
    void theMedianOfASeasonalSeriesIsTheFlatSeriesMedianPlusItsSeasonAtEveryStep() {
        for (boolean trendSkip : new boolean[] {false, true}) {
            LstmConfig config = config(trendSkip);
            float[] flat = memberQuantiles(config, monthly(100, 0));
            float[] seasonal = memberQuantiles(config, monthly(100, 2));
            for (int h = 0; h < H; h++) {
                double expected = 2 * SEASON[(L + h) % 12];
                assertThat((double) (seasonal[3 * h + 1] - flat[3 * h + 1]))
                        .as("trendSkip %s, step %d", trendSkip, h + 1).isCloseTo(expected, within(0.1));
            }
        }
    }

    /**
     * A history shorter than the window rests its index on fewer seasons: its trend member forecasts exactly what
     * the same member without the setting does (the index stays in the gated path).
     */
    @Test
    void aPaddedWindowIsForecastAsWithoutTheSetting() {
        SeriesHistory shorter = monthly(L - 20, 100, 2);
        float[] held = memberQuantiles(config(true), shorter);
        float[] plain = memberQuantiles(config(true).withHeldSeason(false), shorter);
        assertThat(held).containsExactly(plain, within(1e-4f));
    }

    @Test
    void offByDefault() {
        for (Bucket bucket : Bucket.values()) {
            assertThat(LstmConfig.defaults(bucket).heldSeason()).as(bucket.label()).isFalse();
        }
    }

    /**
     * The commands' trainer holds the season where histories can carry it: month buckets whose series mostly hold
     * two lookback windows; short monthly histories, other buckets and settings that already hold it are left as
     * they are.
     */
    @Test
    void theSeasonIsHeldForMonthlyDataWhenMostSeriesHoldTwoLookbacks() {
        LstmConfig month = LstmConfig.defaults(Bucket.MONTH);
        int two = LstmConfig.HELD_SEASON_LOOKBACKS * month.lookback();
        assertThat(month.heldSeason()).isFalse();

        assertThat(month.fittedTo(List.of(monthly(two, 10, 1), monthly(two + 100, 10, 1))).heldSeason()).isTrue();
        assertThat(month.fittedTo(List.of(monthly(two, 10, 1), monthly(two - 1, 10, 1))).heldSeason())
                .as("half the series long enough").isTrue();
        assertThat(month.fittedTo(List.of(monthly(two, 10, 1), monthly(two - 1, 10, 1), monthly(60, 10, 1)))
                .heldSeason()).as("most series too short").isFalse();
        assertThat(month.fittedTo(List.of())).isEqualTo(month);
        LstmConfig shortData = month.fittedTo(List.of(monthly(two - 1, 10, 1)));
        assertThat(shortData).as("everything else unchanged").isEqualTo(month);
        assertThat(month.fittedTo(List.of(monthly(two, 10, 1)))).isEqualTo(month.withHeldSeason(true));

        LstmConfig day = LstmConfig.defaults(Bucket.DAY);
        SeriesHistory longDaily = SeriesHistory.of("d", Bucket.DAY, Instant.parse("2020-01-01T00:00:00Z"),
                new double[10 * day.lookback()]);
        assertThat(day.fittedTo(List.of(longDaily)).heldSeason()).as("only month buckets").isFalse();
    }
}
