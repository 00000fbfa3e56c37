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
 * cut at 0, and the median itself stays.
 */
class BandWideningTest {

    @Test
    void servedQuantilesAreTheUncalibratedOnesWidenedAroundTheMedianByEachSidesFactor() {
        LstmConfig config = LstmTrainerTest.small().withQuantiles(0.05, 0.25, 0.5, 0.75, 0.95);
        int h = config.horizon();
        FeatureEncoder encoder = new FeatureEncoder(config.bucket(), config.lookback(), h, List.of());
        EncodedBatch batch = encoder.encode(SyntheticDemand.weekly(6, 60, 3L));
        float lower = 1.7f;
        float upper = 0.6f;
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
                             .fetch(network.uncalibrated).fetch(network.quantiles).run()) {
                    float[] raw = floats((TFloat32) r.get(0));
                    float[] served = floats((TFloat32) r.get(1));
                    int q = 5;
                    int median = 2;
                    for (int row = 0; row < raw.length / q; row++) {
                        double center = raw[row * q + median];
                        for (int k = 0; k < q; k++) {
                            double factor = k < median ? lower : k > median ? upper : 1;
                            double expected = Math.max(0, center + factor * (raw[row * q + k] - center));
                            assertThat((double) served[row * q + k]).as("row %d, quantile %d", row, k)
                                    .isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
                        }
                    }
                    assertThat(raw.length).isEqualTo(batch.size() * h * q);
                }
            }
        }
    }

    private static float[] floats(TFloat32 t) {
        float[] out = new float[Math.toIntExact(t.shape().size())];
        t.asRawTensor().data().asFloats().read(out);
        return out;
    }
}
