package io.demandcast.model.lstm;

import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Runs a fresh, untrained network of a config (weights from its seed) once on an encoded batch, for tests that
 * check the graph's arithmetic: past, future and (when the batch has them) targets are fed, the named tensors
 * fetched and returned as flat arrays, and everything is closed again.
 */
final class FreshNetwork {

    private FreshNetwork() {
    }

    /**
     * @param biases variables to set before the run, by name (a one-value bias such as {@code trend_gate_b})
     * @param names the tensors to fetch, in order; fetching {@code train_loss} runs one optimiser step too
     */
    static float[][] run(LstmConfig config, FeatureEncoder encoder, EncodedBatch b, Map<String, Float> biases,
                         String... names) {
        try (Graph graph = new Graph()) {
            LstmGraph network = new LstmGraph(graph, encoder, config);
            try (Session session = new Session(graph)) {
                session.initialize();
                biases.forEach((name, value) -> set(session, network, name, value));
                Session.Runner runner = session.runner();
                for (String name : names) {
                    runner.fetch(name);
                }
                try (TFloat32 past = LstmModel.tensor(b.past(), b.size(), b.lookback(), b.pastWidth());
                     TFloat32 future = LstmModel.tensor(b.future(), b.size(), b.horizon(), b.futureWidth());
                     TFloat32 targets = b.targets() == null ? null
                             : LstmModel.tensor(b.targets(), b.size(), b.horizon())) {
                    runner.feed(network.past, past).feed(network.future, future);
                    if (targets != null) {
                        runner.feed(network.targets, targets);
                    }
                    try (Result r = runner.run()) {
                        float[][] out = new float[names.length][];
                        for (int i = 0; i < names.length; i++) {
                            out[i] = values(r, i);
                        }
                        return out;
                    }
                }
            }
        }
    }

    /** The values of fetched tensor {@code index}, flat. */
    static float[] values(Result r, int index) {
        TFloat32 t = (TFloat32) r.get(index);
        float[] out = new float[Math.toIntExact(t.shape().size())];
        t.asRawTensor().data().asFloats().read(out);
        return out;
    }

    private static void set(Session session, LstmGraph network, String name, float value) {
        for (int i = 0; i < network.weights.size(); i++) {
            if (network.weights.get(i).op().name().equals(name)) {
                try (TFloat32 tensor = LstmModel.tensor(new float[] {value}, 1)) {
                    session.runner().feed(network.weightFeeds.get(i), tensor)
                            .addTarget(network.weightAssigns.get(i)).run().close();
                }
                return;
            }
        }
        throw new AssertionError("no variable " + name);
    }
}
