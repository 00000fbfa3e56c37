package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The fused recurrence against a textbook LSTM written out in double precision here: the same hidden states, and
 * gradients (through the custom gradient that training uses) equal to central differences of that reference; and
 * a stacked model, where layer 2 feeds its input gradient back into layer 1, still learns.
 */
class LstmRecurrenceTest {

    private static final int STEPS = 5;
    /** Odd, so the recurrence pads the batch for the kernel and must drop the padding row again. */
    private static final int BATCH = 3;
    private static final int WIDTH = 4;
    private static final int HIDDEN = 3;

    private final Random random = new Random(11L);
    private final double[][][] x = fill(new double[STEPS][BATCH][WIDTH], 1.5);
    private final double[][] wx = fill(new double[WIDTH][4 * HIDDEN], 0.8);
    private final double[][] wh = fill(new double[HIDDEN][4 * HIDDEN], 0.8);
    private final double[] b = fill(new double[1][4 * HIDDEN], 0.5)[0];
    /** Weights of the scalar objective sum(h * r) whose gradient is checked. */
    private final double[][][] r = fill(new double[STEPS][BATCH][HIDDEN], 1.0);

    @Test
    void hiddenStatesAreThoseOfTheTextbookCellFromAZeroState() {
        double[][][] expected = reference(wx, wh, b);
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> h = LstmGraph.recurrence(tf, tf.constant(floats(x)), tf.constant(floats(wx)),
                    tf.constant(floats(wh)), tf.constant(floats(b)), STEPS, HIDDEN);
            try (Result result = s.runner().fetch(h).run()) {
                TFloat32 t = (TFloat32) result.get(0);
                assertThat(t.shape().asArray()).containsExactly(STEPS, BATCH, HIDDEN);
                for (int step = 0; step < STEPS; step++) {
                    for (int row = 0; row < BATCH; row++) {
                        for (int k = 0; k < HIDDEN; k++) {
                            assertThat((double) t.getFloat(step, row, k)).as("h[%d][%d][%d]", step, row, k)
                                    .isCloseTo(expected[step][row][k], within(1e-5));
                        }
                    }
                }
            }
        }
    }

    @Test
    void gradientsOfTheWeightsMatchCentralDifferencesOfTheTextbookCell() {
        try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Operand<TFloat32> wxOp = tf.constant(floats(wx));
            Operand<TFloat32> whOp = tf.constant(floats(wh));
            Operand<TFloat32> bOp = tf.constant(floats(b));
            Operand<TFloat32> h = LstmGraph.recurrence(tf, tf.constant(floats(x)), wxOp, whOp, bOp, STEPS, HIDDEN);
            Operand<TFloat32> objective = tf.reduceSum(tf.math.mul(h, tf.constant(floats(r))),
                    tf.constant(new int[] {0, 1, 2}));
            Output<?>[] grads = g.addGradients(objective.asOutput(),
                    new Output<?>[] {wxOp.asOutput(), whOp.asOutput(), bOp.asOutput()});
            try (Result result = s.runner().fetch(grads[0]).fetch(grads[1]).fetch(grads[2]).run()) {
                TFloat32 gx = (TFloat32) result.get(0);
                TFloat32 gh = (TFloat32) result.get(1);
                TFloat32 gb = (TFloat32) result.get(2);
                double eps = 1e-6;
                for (int i = 0; i < WIDTH; i++) {
                    for (int j = 0; j < 4 * HIDDEN; j++) {
                        double numeric = centralDifference(wx, i, j, eps, () -> objective(reference(wx, wh, b)));
                        assertThat((double) gx.getFloat(i, j)).as("d/d wx[%d][%d]", i, j)
                                .isCloseTo(numeric, within(1e-3));
                    }
                }
                for (int i = 0; i < HIDDEN; i++) {
                    for (int j = 0; j < 4 * HIDDEN; j++) {
                        double numeric = centralDifference(wh, i, j, eps, () -> objective(reference(wx, wh, b)));
                        assertThat((double) gh.getFloat(i, j)).as("d/d wh[%d][%d]", i, j)
                                .isCloseTo(numeric, within(1e-3));
                    }
                }
                for (int j = 0; j < 4 * HIDDEN; j++) {
                    double keep = b[j];
                    b[j] = keep + eps;
                    double up = objective(reference(wx, wh, b));
                    b[j] = keep - eps;
                    double down = objective(reference(wx, wh, b));
                    b[j] = keep;
                    assertThat((double) gb.getFloat(j)).as("d/d b[%d]", j)
                            .isCloseTo((up - down) / (2 * eps), within(1e-3));
                }
            }
        }
    }

    @Test
    void twoStackedLayersLearnThroughTheFusedGradient() {
        List<SeriesHistory> train = SyntheticDemand.weekly(20, 120, 5L);
        List<Double> losses = new ArrayList<>();
        LstmConfig twoLayers = LstmTrainerTest.small().withShape(21, LstmTrainerTest.H, 2, 16, 8);
        try (LstmModel model = new LstmTrainer(twoLayers).train(train, (e, max, t, v) -> losses.add(t))) {
            assertThat(losses.get(losses.size() - 1)).as("last training loss of %s", losses)
                    .isLessThan(0.8 * losses.get(0));
            assertThat(model.forecast(train, LstmTrainerTest.H)).allMatch(QuantileForecast::isFinite);
        }
    }

    /** Gates in the order input, forget, candidate, output; h and c start at zero. */
    private double[][][] reference(double[][] wx, double[][] wh, double[] b) {
        double[][][] out = new double[STEPS][BATCH][HIDDEN];
        for (int row = 0; row < BATCH; row++) {
            double[] h = new double[HIDDEN];
            double[] c = new double[HIDDEN];
            for (int step = 0; step < STEPS; step++) {
                double[] z = b.clone();
                for (int j = 0; j < 4 * HIDDEN; j++) {
                    for (int i = 0; i < WIDTH; i++) {
                        z[j] += x[step][row][i] * wx[i][j];
                    }
                    for (int i = 0; i < HIDDEN; i++) {
                        z[j] += h[i] * wh[i][j];
                    }
                }
                for (int k = 0; k < HIDDEN; k++) {
                    double in = sigmoid(z[k]);
                    double forget = sigmoid(z[HIDDEN + k]);
                    double candidate = Math.tanh(z[2 * HIDDEN + k]);
                    double output = sigmoid(z[3 * HIDDEN + k]);
                    c[k] = forget * c[k] + in * candidate;
                    h[k] = output * Math.tanh(c[k]);
                }
                out[step][row] = h.clone();
            }
        }
        return out;
    }

    private double objective(double[][][] h) {
        double sum = 0;
        for (int step = 0; step < STEPS; step++) {
            for (int row = 0; row < BATCH; row++) {
                for (int k = 0; k < HIDDEN; k++) {
                    sum += h[step][row][k] * r[step][row][k];
                }
            }
        }
        return sum;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private double[][][] fill(double[][][] a, double range) {
        for (double[][] m : a) {
            fill(m, range);
        }
        return a;
    }

    private double[][] fill(double[][] a, double range) {
        for (double[] row : a) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (random.nextDouble() * 2 - 1) * range;
            }
        }
        return a;
    }

    private static float[][][] floats(double[][][] a) {
        float[][][] out = new float[a.length][][];
        for (int i = 0; i < a.length; i++) {
            out[i] = floats(a[i]);
        }
        return out;
    }

    private static float[][] floats(double[][] a) {
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = floats(a[i]);
        }
        return out;
    }

    private static float[] floats(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        return out;
    }

    /** (f(w + eps) - f(w - eps)) / 2 eps for entry [i][j] of {@code w}, which {@code f} reads; w is left as it was. */
    private static double centralDifference(double[][] w, int i, int j, double eps,
                                            java.util.function.DoubleSupplier f) {
        double keep = w[i][j];
        w[i][j] = keep + eps;
        double up = f.getAsDouble();
        w[i][j] = keep - eps;
        double down = f.getAsDouble();
        w[i][j] = keep;
        return (up - down) / (2 * eps);
    }
}
