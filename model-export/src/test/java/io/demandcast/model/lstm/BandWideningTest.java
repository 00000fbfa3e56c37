package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * The served band is the network's band widened around its median by the calibrated factors: below the median
 * each quantile moves to {@code median + lower * (q - median)}, above it to {@code median + upper * (q - median)},
 * cut at 0, and the median itself stays; a value under {@link LstmGraph#ZERO_SHARE} of its window's scale is 0.
 */
class BandWideningTest {

    @Test
    void servedQuantilesAreTheUncalibratedOnesWidenedAroundTheMedianByEachSidesFactor() {
        float[][] run = serve(1.7f, 0.6f);
        assertServed(run, 1.7f, 0.6f);
    }

    @Test
    void aQuantileWidenedToUnderTheZeroShareOfItsScaleIsServedAsZero() {
        // The lower factor that puts the first row's lowest quantile at half the zero threshold: served as 0.
        float[][] raw = serve(1f, 1f);
        double center = raw[0][MEDIAN];
        double target = 0.5 * LstmGraph.ZERO_SHARE * raw[2][0];
        float lower = (float) ((center - target) / (center - raw[0][0]));
        assertThat(lower).isGreaterThan(1f);
        float[][] run = serve(lower, 1f);
        double widened = center + lower * (raw[0][0] - center);
        assertThat(widened).isGreaterThan(0).isLessThan(LstmGraph.ZERO_SHARE * raw[2][0]);
        assertThat(run[1][0]).isZero();
        assertServed(run, lower, 1f);
    }

    private static final int Q = 5;
    private static final int MEDIAN = 2;

    /** Uncalibrated [B*H*Q], served [B*H*Q] and row scales [B*H] of one batch under the band {lower, upper}. */
    private static float[][] serve(float lower, float upper) {
        LstmConfig config = LstmTrainerTest.small().withQuantiles(0.05, 0.25, 0.5, 0.75, 0.95);
        int h = config.horizon();
        FeatureEncoder encoder = new FeatureEncoder(config.bucket(), config.lookback(), h, List.of());
        EncodedBatch batch = encoder.encode(SyntheticDemand.weekly(6, 60, 3L));
        try (Graph graph = new Graph()) {
            LstmGraph network = new LstmGraph(graph, encoder, config);
            try (Session session = new Session(graph)) {
                session.initialize();
                try (TFloat32 band = LstmModel.tensor(new float[] {lower, upper}, 2)) {
                    session.runner().feed(network.bandFeed, band).addTarget(network.bandAssign).run().close();
                }
                try (TFloat32 past = LstmModel.tensor(batch.past(), batch.size(), batch.lookback(), batch.pastWidth());
                     TFloat32 future = LstmModel.tensor(batch.future(), batch.size(), batch.horizon(),
                             batch.futureWidth());
                     Result r = session.runner().feed(network.past, past).feed(network.future, future)
                             .fetch(network.uncalibrated).fetch(network.quantiles).fetch(network.rowScale).run()) {
                    float[][] out = {floats((TFloat32) r.get(0)), floats((TFloat32) r.get(1)),
                            floats((TFloat32) r.get(2))};
                    assertThat(out[0].length).isEqualTo(batch.size() * h * Q);
                    assertThat(out[2].length).isEqualTo(batch.size() * h);
                    return out;
                }
            }
        }
    }

    private static void assertServed(float[][] run, float lower, float upper) {
        float[] raw = run[0];
        float[] served = run[1];
        float[] scale = run[2];
        for (int row = 0; row < raw.length / Q; row++) {
            double center = raw[row * Q + MEDIAN];
            for (int k = 0; k < Q; k++) {
                double factor = k < MEDIAN ? lower : k > MEDIAN ? upper : 1;
                double expected = Math.max(0, center + factor * (raw[row * Q + k] - center));
                if (expected < LstmGraph.ZERO_SHARE * scale[row]) {
                    expected = 0;
                }
                assertThat((double) served[row * Q + k]).as("row %d, quantile %d", row, k)
                        .isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
            }
        }
    }

    private static float[] floats(TFloat32 t) {
        float[] out = new float[Math.toIntExact(t.shape().size())];
        t.asRawTensor().data().asFloats().read(out);
        return out;
    }
}
