package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LstmConfig#maseWeighted()}: a window's loss is its mean-scaled pinball loss times the window's mean over
 * its mean absolute seasonal difference (capped at 100), the weight MASE gives that series. Two graphs from one
 * seed have the same initial weights, so on one window the weighted loss is the plain one times the weight.
 */
class MaseWeightedLossTest {

    private static final int L = 21;
    private static final int H = LstmTrainerTest.H;
    private static final int SEASON = 7;

    @Test
    void aWindowWeighsItsMeanOverItsMeanAbsoluteSeasonalDifference() {
        double[] units = new double[L + H];
        for (int t = 0; t < units.length; t++) {
            units[t] = 100 + 10 * (t % 2);   // one week apart, the parity always differs: every difference is 10
        }
        double mean = 0;
        for (int t = 0; t < L; t++) {
            mean += units[t] / L;
        }
        assertThat(weightedOverPlain(units)).isCloseTo(mean / 10, within(1e-3 * mean / 10));
    }

    @Test
    void aFlatWindowWeighsAtMostOneHundred() {
        double[] units = new double[L + H];
        Arrays.fill(units, 500);
        assertThat(weightedOverPlain(units)).isCloseTo(100, within(0.1));
    }

    @Test
    void aWindowWithNoPairOneSeasonApartKeepsWeightOne() {
        double[] units = new double[SEASON + H];
        for (int t = 0; t < units.length; t++) {
            units[t] = 40 + t;
        }
        // origin SEASON: the lookback holds SEASON observed buckets, so no two of them are a season apart
        assertThat(weightedOverPlain(units, SEASON)).isCloseTo(1, within(1e-4));
    }

    private static double weightedOverPlain(double[] units) {
        return weightedOverPlain(units, L);
    }

    private static double weightedOverPlain(double[] units, int origin) {
        SeriesHistory history = SeriesHistory.of("s", Bucket.DAY,
                Instant.parse("2024-01-01T00:00:00Z"), units);
        LstmConfig config = LstmTrainerTest.small();
        FeatureEncoder encoder = new FeatureEncoder(config.bucket(), L, H, List.of());
        EncodedBatch batch = encoder.encodeWindows(List.of(history), new int[] {origin});
        return loss(encoder, config.withMaseWeighted(true), batch) / loss(encoder, config, batch);
    }

    private static double loss(FeatureEncoder encoder, LstmConfig config, EncodedBatch b) {
        return FreshNetwork.run(config, encoder, b, Map.of(), LstmGraph.LOSS)[0][0];
    }
}
