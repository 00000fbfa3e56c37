package io.demandcast.model.lstm;

import io.demandcast.model.encode.CovariateScaling;
import io.demandcast.model.encode.FeatureEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.BlockLSTM;
import org.tensorflow.op.nn.BlockLSTMGrad;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Builds the network into a {@link Graph}: per-window scaling of the raw inputs, stacked LSTM layers over the
 * lookback, a direct multi-horizon head with monotone non-negative quantiles, the pinball loss and one Adam
 * step. The gradient path uses only ops whose gradients TensorFlow's C++ registry has (MatMul, Add, Mul,
 * Sigmoid, Relu, Softplus, Slice, Pad, Reshape, Maximum, Mean, Sum, ConcatV2, ExpandDims), plus the fused LSTM kernel,
 * whose gradient this class registers; the scaling, anchor and band paths need no gradient (no variable upstream,
 * or outside the optimiser).
 */
final class LstmGraph {

    static final String PAST = "past";
    static final String FUTURE = "future";
    static final String TARGETS = "targets";
    static final String QUANTILES = "quantiles";
    static final String LOSS = "loss";
    static final String SERVING = Signature.DEFAULT_KEY;
    static final String TRAIN_STEP = "train_step";
    /** A member's own quantiles [B*H, Q] in natural units, before combining, named with the member's prefix. */
    static final String MEMBER_QUANTILES = "member_quantiles";

    /** Covariates scaled relative to their level are clipped: a price of 0 in the lookback must not explode. */
    private static final float COVARIATE_CLIP = 10f;
    /** The most a window's loss weighs against one whose seasonal change equals its mean (see metricWeights). */
    private static final float MAX_LOSS_WEIGHT = 100f;

    final Placeholder<TFloat32> past;
    final Placeholder<TFloat32> future;
    final Placeholder<TFloat32> targets;
    final Operand<TFloat32> quantiles;
    final Operand<TFloat32> loss;
    final Operand<TFloat32> trainLoss;
    /** The ensemble's quantiles before the band's calibration, natural units [B, H, Q]. */
    final Operand<TFloat32> uncalibrated;
    /** The scale each output row was divided by (the window's scale), [B, H]: the trainer's zero threshold. */
    final Operand<TFloat32> rowScale;
    /** Widening of the band below and above the median: [lower, upper], set by the trainer. */
    final Variable<TFloat32> band;
    final Placeholder<TFloat32> bandFeed;
    final Op bandAssign;
    final List<Variable<TFloat32>> weights = new ArrayList<>();
    final List<Placeholder<TFloat32>> weightFeeds = new ArrayList<>();
    final List<Op> weightAssigns = new ArrayList<>();

    private final Ops tf;
    private final Random random;

    static {
        // TensorFlow's C++ gradient registry, which graph-mode training uses, has no gradient for the fused LSTM
        // kernel (only Python registers one); this is the same rule, built from the kernel's own backward op.
        TensorFlow.registerCustomGradient(BlockLSTM.Inputs.class, LstmGraph::blockLstmGradient);
    }

    LstmGraph(Graph graph, FeatureEncoder encoder, LstmConfig config) {
        this.tf = Ops.create(graph);
        this.random = new Random(config.seed());
        int lookback = encoder.lookback();
        int horizon = encoder.horizon();
        int pw = encoder.pastWidth();
        int fw = encoder.futureWidth();
        int q = config.quantiles().length;

        past = tf.withName(PAST).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, lookback, pw)));
        future = tf.withName(FUTURE).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, horizon, fw)));
        targets = tf.withName(TARGETS).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, horizon)));

        float[] levels = new float[q];
        for (int k = 0; k < q; k++) {
            levels[k] = (float) config.quantiles()[k];
        }
        Operand<TFloat32> tau = tf.constant(levels);
        Operand<TFloat32> rawTargets = tf.reshape(targets, tf.constant(new int[] {-1, 1}));         // [B*H, 1]
        // A NaN target is a bucket not observed yet (a window whose future is only partly known): it weighs 0.
        Operand<TFloat32> observedRows = tf.math.sub(tf.constant(1f),
                tf.dtypes.cast(tf.math.isNan(rawTargets), TFloat32.class));
        Operand<TFloat32> targetRows = tf.math.mulNoNan(rawTargets, observedRows);
        float floor = (float) config.scaleFloor();
        int season = config.bucket().season();
        boolean weighted = config.maseWeighted();

        // Each member is a whole network on the whole window, with its own variables (prefix m0_, m1_, ...). The
        // trainer trains each one alone, in a single-member graph of its own seed, and assigns its variables here
        // (LstmTrainer); train_step fine-tunes them all, each on its own loss over the same batch. Serving
        // combines their quantiles per step and level, in natural units, all in one session run.
        int members = config.members();
        int recurrent = config.recurrentLookback() == 0 ? lookback : Math.min(config.recurrentLookback(), lookback);
        List<Operand<TFloat32>> memberQuantiles = new ArrayList<>();
        Operand<TFloat32> objective = null;
        Operand<TFloat32> scaleRows = null;
        Operand<TFloat32> windowWeights = null;
        for (int m = 0; m < members; m++) {
            String prefix = memberPrefix(members, m);
            // The network reads the last R buckets of the window (all L by default), scaled by their own mean;
            // the trend path reads the whole window in the same scale, so its seasonal index averages over more
            // seasons than the network has to unroll.
            Operand<TFloat32> recentPast = recurrent == lookback ? past : tf.slice(past,
                    tf.constant(new int[] {0, lookback - recurrent, 0}), tf.constant(new int[] {-1, recurrent, -1}));
            Scaled scaled = scale(recentPast, encoder, floor, prefix + "scale");
            boolean held = config.heldSeason();
            Trend trend = config.trendSkip(m) || held ? trend(tf.math.div(column(past, FeatureEncoder.UNITS),
                    scaled.scale), column(past, FeatureEncoder.OBSERVED), lookback, horizon, season, prefix) : null;
            Operand<TFloat32> networkPast = scaled.past;
            Operand<TFloat32> heldIndex = null;
            Operand<TFloat32> unheld = null;
            if (held) {
                // A window observed whole (L buckets, six years at month's defaults) holds its season: the network
                // reads its units less the window's seasonal index (on observed buckets), and the index of each
                // horizon step's phase is added back to its median below. A shorter history's index rests on
                // fewer seasons; it stays in the gated trend path (none in a member without it), as without the
                // setting.
                Operand<TFloat32> whole = tf.dtypes.cast(tf.math.greaterEqual(tf.reduceSum(
                        column(past, FeatureEncoder.OBSERVED), tf.constant(1), ReduceSum.keepDims(true)),
                        tf.constant(lookback - 0.5f)), TFloat32.class);                                // [B, 1]
                unheld = tf.math.sub(tf.constant(1f), whole);
                Operand<TFloat32> recentIndex = tf.math.mul(whole, recurrent == lookback ? trend.windowSeasonal()
                        : tf.slice(trend.windowSeasonal(), tf.constant(new int[] {0, lookback - recurrent}),
                                tf.constant(new int[] {-1, recurrent})));                             // [B, R]
                Operand<TFloat32> deseasonalised = tf.math.sub(column(scaled.past, FeatureEncoder.UNITS),
                        tf.math.mul(recentIndex, column(scaled.past, FeatureEncoder.OBSERVED)));
                networkPast = tf.concat(List.of(tf.expandDims(deseasonalised, tf.constant(2)),
                        columns(scaled.past, FeatureEncoder.UNITS + 1, pw)), tf.constant(2));
                heldIndex = tf.reshape(tf.math.mul(whole, trend.seasonal()),
                        tf.constant(new int[] {-1, 1}));                                                // [B*H, 1]
            }
            // log1p of the scaled units beside them: a promotion spike of 20x the mean and a quiet week of 0.2x
            // then sit on comparable input ranges.
            Operand<TFloat32> inputs = tf.concat(List.of(networkPast, tf.expandDims(tf.math.log1p(
                    tf.math.maximum(column(networkPast, FeatureEncoder.UNITS), tf.constant(0f))),
                    tf.constant(2))), tf.constant(2));
            Operand<TFloat32> anchor = config.residual() ? anchor(scaled, recurrent, horizon, season) : null;
            if (!config.trendSkip(m)) {
                trend = null;
            }
            Operand<TFloat32> rows = rows(scaled.scale, horizon);                                 // [B*H, 1]
            Operand<TFloat32> lossWeights = weighted
                    ? metricWeights(past, scaled.scale, season, lookback, horizon, floor) : null;
            Operand<TFloat32> mq = member(prefix, inputs, scaled.future, anchor, trend, heldIndex, unheld,
                    recurrent, horizon, pw + 1, fw, q, medianIndex(config.quantiles()), config);  // [B*H, Q]
            memberQuantiles.add(tf.withName(prefix + MEMBER_QUANTILES).math.mul(mq, rows));
            Operand<TFloat32> memberLoss = pinball(tf.math.div(targetRows, rows), mq, tau, lossWeights,
                    observedRows);
            objective = objective == null ? memberLoss : tf.math.add(objective, memberLoss);
            if (m == 0) {
                scaleRows = rows;
                windowWeights = lossWeights;
            }
        }
        Operand<TFloat32> ensemble = combine(memberQuantiles);                                    // [B*H, Q] natural
        Operand<TFloat32> meanMemberLoss = tf.math.mul(objective, tf.constant(1f / members));
        // Reported in the units of the whole window's scale, so it compares across member counts.
        loss = tf.withName(LOSS).identity(pinball(tf.math.div(targetRows, scaleRows),
                tf.math.div(tf.math.maximum(ensemble, tf.constant(0f)), scaleRows), tau, windowWeights,
                observedRows));

        Adam adam = new Adam(graph, (float) config.learningRate());
        Op step = adam.minimize(objective, "adam_step");
        trainLoss = tf.withControlDependencies(List.of(step)).withName("train_loss").identity(meanMemberLoss);

        for (Variable<TFloat32> w : weights) {
            Placeholder<TFloat32> feed = tf.withName("restore_" + w.op().name())
                    .placeholder(TFloat32.class, Placeholder.shape(w.shape()));
            weightFeeds.add(feed);
            weightAssigns.add(tf.assign(w, feed));
        }

        // The band's calibration is made after the optimiser, so no step ever changes it: the trainer fits the
        // widening of each side of the median on the validation split (1 keeps the network's own band).
        uncalibrated = tf.withName("uncalibrated").reshape(tf.math.maximum(ensemble, tf.constant(0f)),
                tf.constant(new int[] {-1, horizon, q}));
        band = tf.withName("band_widening").variable(tf.constant(new float[] {1f, 1f}));
        bandFeed = tf.withName("restore_band_widening").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(2)));
        bandAssign = tf.assign(band, bandFeed);
        int median = medianIndex(config.quantiles());
        rowScale = tf.reshape(scaleRows, tf.constant(new int[] {-1, horizon}));
        Operand<TFloat32> widened = tf.math.maximum(tf.linalg.matMul(ensemble, widening(band, q, median)),
                tf.constant(0f));
        // A quantile below ZERO_SHARE of the window's scale is served as 0 (see ZERO_SHARE).
        Operand<TFloat32> kept = tf.dtypes.cast(tf.math.greaterEqual(widened,
                tf.math.mul(scaleRows, tf.constant(ZERO_SHARE))), TFloat32.class);
        quantiles = tf.withName(QUANTILES).reshape(tf.math.mul(widened, kept),
                tf.constant(new int[] {-1, horizon, q}));
    }

    /**
     * Quantiles below this share of the window's scale are served as exactly 0. Pinball loss on a bucket that is
     * always empty (a shop closed on Sundays, a known closure) pulls every quantile to 0 from both sides, and the
     * network lands a hair either side of it; after the clamp at 0 about half of those buckets come out as a
     * tiny positive P10, and then an actual of 0 falls below the band. A quantile under 1% of the series' recent
     * mean level is zero for any practical purpose (under one unit for a series selling 100 a bucket), and the
     * transform keeps the quantiles in order.
     */
    static final float ZERO_SHARE = 0.01f;

    /**
     * The band's widening as a [Q, Q] matrix W, so that the whole [B*H, Q] output is widened by one small matrix
     * product instead of four element-wise passes: column k of {@code quantiles x W} is {@code median + f_k *
     * (q_k - median)}, i.e. {@code f_k * q_k + (1 - f_k) * median}, with {@code f_k} the lower widening below the
     * median, the upper one above it, and 1 at the median.
     */
    private Operand<TFloat32> widening(Operand<TFloat32> band, int q, int median) {
        float[][] lowerDiagonal = new float[q][q];
        float[][] upperDiagonal = new float[q][q];
        float[][] lowerToMedian = new float[q][q];
        float[][] upperToMedian = new float[q][q];
        float[][] identityAtMedian = new float[q][q];
        for (int k = 0; k < q; k++) {
            if (k < median) {
                lowerDiagonal[k][k] = 1f;
                lowerToMedian[median][k] = 1f;
            } else if (k > median) {
                upperDiagonal[k][k] = 1f;
                upperToMedian[median][k] = 1f;
            }
        }
        identityAtMedian[median][median] = 1f;
        Operand<TFloat32> lower = tf.gather(band, tf.constant(0), tf.constant(0));
        Operand<TFloat32> upper = tf.gather(band, tf.constant(1), tf.constant(0));
        Operand<TFloat32> one = tf.constant(1f);
        // W = f_lo * D_lo + (1 - f_lo) * M_lo + f_up * D_up + (1 - f_up) * M_up + E_median
        return tf.math.addN(List.of(
                tf.math.mul(tf.constant(lowerDiagonal), lower),
                tf.math.mul(tf.constant(lowerToMedian), tf.math.sub(one, lower)),
                tf.math.mul(tf.constant(upperDiagonal), upper),
                tf.math.mul(tf.constant(upperToMedian), tf.math.sub(one, upper)),
                tf.constant(identityAtMedian)));
    }

    /**
     * The prefix of member {@code m}'s variable names: none for a single network, {@code m0_}, {@code m1_}, ...
     * in an ensemble, so that the trainer can assign each member the variables of its own single-member training.
     */
    static String memberPrefix(int members, int m) {
        return members == 1 ? "" : "m" + m + "_";
    }

    /** A per-window [B, 1] value repeated for each horizon step: [B*H, 1]. */
    private Operand<TFloat32> rows(Operand<TFloat32> perWindow, int horizon) {
        return tf.reshape(tf.tile(tf.reshape(perWindow, tf.constant(new int[] {-1, 1})),
                tf.constant(new int[] {1, horizon})), tf.constant(new int[] {-1, 1}));
    }

    /** How the members' quantiles [B*H, Q] are combined into the ensemble's, element-wise. */
    enum Combination {
        /** The mean: every member's quantiles ascend, so their mean does too. */
        MEAN,
        /** The median (the mean of the middle two for an even count): moves less with one member's bad window. */
        MEDIAN;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The combination serving uses: the mean. On M3 monthly the mean of separately trained members' quantiles gave
     * a mean MASE 0.0002 to 0.0016 below their median in every set of members measured (BENCHMARKS.md,
     * history), and it needs no sort.
     */
    static final Combination COMBINATION = Combination.MEAN;

    private Operand<TFloat32> combine(List<Operand<TFloat32>> values) {
        if (values.size() == 1) {
            return values.get(0);
        }
        if (COMBINATION == Combination.MEAN) {
            Operand<TFloat32> sum = values.get(0);
            for (int i = 1; i < values.size(); i++) {
                sum = tf.math.add(sum, values.get(i));
            }
            return tf.math.mul(sum, tf.constant(1f / values.size()));
        }
        return median(values);
    }

    /**
     * The element-wise median of the members' quantiles [B*H, Q] (the mean of the middle two for an even count):
     * one member's bad window moves it less than a mean, and since every member's quantiles ascend, so do the
     * medians.
     */
    private Operand<TFloat32> median(List<Operand<TFloat32>> values) {
        int k = values.size();
        if (k == 1) {
            return values.get(0);
        }
        if (k == 2) {
            return tf.math.mul(tf.math.add(values.get(0), values.get(1)), tf.constant(0.5f));
        }
        Operand<TFloat32> stacked = tf.stack(values, org.tensorflow.op.core.Stack.axis(2L));            // [B*H, Q, k]
        Operand<TFloat32> sorted = tf.nn.topK(stacked, tf.constant(k), new org.tensorflow.op.nn.TopK.Options[0]).values();                 // descending
        Operand<TFloat32> middle = tf.gather(sorted, tf.constant(k % 2 == 1 ? new int[] {k / 2}
                : new int[] {k / 2 - 1, k / 2}), tf.constant(2));
        return tf.math.mean(middle, tf.constant(2));
    }

    /** Index of the level closest to 0.5: the centre of the band and, with a residual head, of the anchor. */
    static int medianIndex(double[] levels) {
        int best = 0;
        for (int k = 1; k < levels.length; k++) {
            if (Math.abs(levels[k] - 0.5) < Math.abs(levels[best] - 0.5)) {
                best = k;
            }
        }
        return best;
    }

    /** The mean pinball loss over the observed rows [B*H, 1] and the levels. */
    private Operand<TFloat32> pinball(Operand<TFloat32> scaledTargets, Operand<TFloat32> scaledQuantiles,
                                      Operand<TFloat32> tau, Operand<TFloat32> rowWeights,
                                      Operand<TFloat32> observed) {
        Operand<TFloat32> error = tf.math.sub(scaledTargets, scaledQuantiles);
        Operand<TFloat32> p = tf.math.maximum(tf.math.mul(tau, error),
                tf.math.mul(tf.math.sub(tau, tf.constant(1f)), error));
        p = tf.math.mul(p, rowWeights == null ? observed : tf.math.mul(rowWeights, observed));
        Operand<TInt32> all = tf.constant(new int[] {0, 1});
        Operand<TFloat32> cells = tf.math.mul(tf.math.maximum(tf.reduceSum(observed, all), tf.constant(1f)),
                tf.dtypes.cast(tf.slice(tf.shape(p), tf.constant(new int[] {1}), tf.constant(new int[] {1})),
                        TFloat32.class));
        return tf.math.div(tf.reduceSum(p, all), tf.reshape(cells, tf.constant(new int[0])));
    }

    /**
     * Per-row loss weights [B*H, 1] that turn the pinball loss on mean-scaled units into one on units divided by
     * the window's mean absolute seasonal difference, the scale MASE divides by: a smooth series whose level is
     * far above its bucket-to-bucket change then weighs in training as much as it does in the metric. Windows
     * with no observed pair one season apart keep weight 1; the weight is capped so a flat window cannot take
     * over a batch.
     */
    private Operand<TFloat32> metricWeights(Operand<TFloat32> past, Operand<TFloat32> scale, int season,
                                            int lookback, int horizon, float floor) {
        int m = Math.min(season, lookback - 1);
        Operand<TInt32> axis2 = tf.constant(2);
        Operand<TFloat32> units = tf.gather(past, tf.constant(FeatureEncoder.UNITS), axis2);     // [B, L]
        Operand<TFloat32> mask = tf.gather(past, tf.constant(FeatureEncoder.OBSERVED), axis2);   // [B, L]
        Operand<TInt32> axis1 = tf.constant(1);
        Operand<TInt32> later = tf.constant(rangeOf(m, lookback));
        Operand<TInt32> earlier = tf.constant(rangeOf(0, lookback - m));
        Operand<TFloat32> pairs = tf.math.mul(tf.gather(mask, later, axis1), tf.gather(mask, earlier, axis1));
        Operand<TFloat32> diffs = tf.math.mul(tf.math.abs(tf.math.sub(tf.gather(units, later, axis1),
                tf.gather(units, earlier, axis1))), pairs);
        Operand<TFloat32> count = tf.reduceSum(pairs, axis1, ReduceSum.keepDims(true));               // [B, 1]
        Operand<TFloat32> meanDiff = tf.math.maximum(tf.math.div(tf.reduceSum(diffs, axis1,
                ReduceSum.keepDims(true)), tf.math.maximum(count, tf.constant(1f))), tf.constant(floor));
        Operand<TFloat32> hasPairs = tf.dtypes.cast(tf.math.greater(count, tf.constant(0f)), TFloat32.class);
        Operand<TFloat32> ratio = tf.math.minimum(tf.math.div(scale, meanDiff), tf.constant(MAX_LOSS_WEIGHT));
        Operand<TFloat32> w = tf.math.add(tf.math.mul(hasPairs, ratio), tf.math.sub(tf.constant(1f), hasPairs));
        return rows(w, horizon);
    }

    /**
     * The anchor a residual head corrects, per horizon step in scaled units: the last season's value of the same
     * phase (the level where that bucket was padding) or the level (mean of the last season's observed buckets),
     * mixed by a learned weight per step. Seasonality and the level are then there from the first step of
     * training, and the network only learns what they miss.
     */
    private Operand<TFloat32> anchor(Scaled scaled, int lookback, int horizon, int season) {
        int m = Math.min(season, lookback);
        Operand<TInt32> axis2 = tf.constant(2);
        Operand<TFloat32> units = column(scaled.past, FeatureEncoder.UNITS);   // [B, L]
        Operand<TFloat32> mask = column(scaled.past, FeatureEncoder.OBSERVED);  // [B, L]
        int[] lastSeason = rangeOf(lookback - m, lookback);
        Operand<TFloat32> seasonUnits = tf.gather(units, tf.constant(lastSeason), tf.constant(1));
        Operand<TFloat32> seasonMask = tf.gather(mask, tf.constant(lastSeason), tf.constant(1));
        Operand<TFloat32> level = tf.math.div(
                tf.reduceSum(tf.math.mul(seasonUnits, seasonMask), tf.constant(1), ReduceSum.keepDims(true)),
                tf.math.maximum(tf.reduceSum(seasonMask, tf.constant(1), ReduceSum.keepDims(true)),
                        tf.constant(1f)));                                                         // [B, 1]
        int[] phase = new int[horizon];
        for (int h = 0; h < horizon; h++) {
            phase[h] = lookback - m + (h % m);
        }
        Operand<TFloat32> sameMask = tf.gather(mask, tf.constant(phase), tf.constant(1));           // [B, H]
        Operand<TFloat32> same = tf.math.add(tf.math.mul(tf.gather(units, tf.constant(phase), tf.constant(1)),
                sameMask), tf.math.mul(tf.math.sub(tf.constant(1f), sameMask), level));
        return tf.concat(List.of(tf.expandDims(same, axis2),
                tf.expandDims(tf.math.mul(tf.onesLike(same), level), axis2)), axis2);          // [B, H, 2]
    }

    /** The least damping of the trend path: phi lies in (PHI_MIN, 1), 0.9 before training. */
    static final float PHI_MIN = 0.8f;

    /**
     * What a damped-trend path is made of, in scaled units: the level at the window's end [B, 1], the slope per
     * bucket [B, 1], the seasonal index of each horizon step's phase [B, H], and what line and index leave on each
     * of the window's buckets [B, L] (0 on padding), which the level is smoothed on; L is the window's length.
     */
    record Trend(Operand<TFloat32> level, Operand<TFloat32> slope, Operand<TFloat32> seasonal,
                 Operand<TFloat32> residuals, Operand<TFloat32> windowSeasonal, int lookback) {
    }

    /**
     * The parts of the damped-trend path from the window's scaled units [B, L] and observed mask [B, L] (the whole
     * window, also where the network unrolls only its end). Two blocks of k = min(season, L/2) buckets end the
     * window; the slope is the difference of their observed means over the difference of their observed mean
     * times (so a history that only partly covers the earlier block still gets a slope of the right units; 0 when
     * a block has no observed bucket), the level is the last block's mean carried along the slope to the window's
     * last bucket. The seasonal index of a step's phase is the mean deviation of that phase's buckets from the
     * centred moving average of one season around them (classical decomposition; see the comment in the body),
     * 0 for a phase with no whole season around any of its buckets. The residuals are what line and index leave
     * on each observed bucket, for the smoothed level of {@link #gatedTrend}. All through matrix products with
     * constants: nothing upstream has a variable, so this costs a few small passes and no gradient.
     */
    private Trend trend(Operand<TFloat32> units, Operand<TFloat32> mask, int lookback, int horizon, int season,
                        String prefix) {
        int k = Math.max(1, Math.min(season, lookback / 2));
        Operand<TFloat32> observedUnits = tf.math.mul(units, mask);
        float[][] blocks = new float[lookback][2];
        float[][] blockTimes = new float[lookback][2];
        for (int t = Math.max(0, lookback - 2 * k); t < lookback; t++) {
            int b = t >= lookback - k ? 0 : 1;
            blocks[t][b] = 1f;
            blockTimes[t][b] = t;
        }
        Operand<TFloat32> one = tf.constant(1f);
        Operand<TFloat32> zero = tf.constant(0f);
        Operand<TFloat32> counts = tf.linalg.matMul(mask, tf.constant(blocks));                  // [B, 2]
        Operand<TFloat32> safeCounts = tf.math.maximum(counts, one);
        Operand<TFloat32> means = tf.math.div(tf.linalg.matMul(observedUnits, tf.constant(blocks)), safeCounts);
        Operand<TFloat32> times = tf.math.div(tf.linalg.matMul(mask, tf.constant(blockTimes)), safeCounts);
        float[][] last = {{1f}, {0f}};
        float[][] difference = {{1f}, {-1f}};
        Operand<TFloat32> bothObserved = tf.reduceMin(tf.dtypes.cast(tf.math.greater(counts, zero), TFloat32.class),
                tf.constant(1), org.tensorflow.op.core.ReduceMin.keepDims(true));                   // [B, 1]
        Operand<TFloat32> slope = tf.withName(prefix + "trend_slope").math.mul(bothObserved, tf.math.div(
                tf.linalg.matMul(means, tf.constant(difference)),
                tf.math.maximum(tf.linalg.matMul(times, tf.constant(difference)), one)));         // [B, 1]
        Operand<TFloat32> lastMean = tf.linalg.matMul(means, tf.constant(last));
        Operand<TFloat32> lastTime = tf.linalg.matMul(times, tf.constant(last));
        Operand<TFloat32> level = tf.withName(prefix + "trend_level").math.add(lastMean,
                tf.math.mul(slope, tf.math.sub(tf.constant((float) (lookback - 1)), lastTime)));   // [B, 1]

        // The seasonal index of a phase is the mean, over the window's buckets of that phase, of the bucket minus
        // the centred moving average of one season around it (2 x m for an even season), counted only where that
        // season is observed whole; then centred over the phases that have one. Against the trend line of the
        // last two blocks a bucket years back deviates by every change of trend since, which longer windows made
        // worse; against the local average it deviates by its season only (classical decomposition).
        int m = Math.min(season, lookback);
        int half = m / 2;
        float[][] average = new float[lookback][lookback];
        float[][] span = new float[lookback][lookback];
        float[][] phaseOf = new float[lookback][m];
        float[][] windowPhase = new float[m][lookback];
        float[][] fromEnd = new float[1][lookback];
        for (int t = 0; t < lookback; t++) {
            phaseOf[t][t % m] = 1f;
            windowPhase[t % m][t] = 1f;
            fromEnd[0][t] = t - (lookback - 1);
            if (t - half < 0 || t + half >= lookback) {
                continue;
            }
            for (int u = t - half; u <= t + half; u++) {
                boolean end = m % 2 == 0 && (u == t - half || u == t + half);
                average[u][t] = (end ? 0.5f : 1f) / m;
                span[u][t] = 1f;
            }
        }
        float[][] horizonPhase = new float[m][horizon];
        for (int h = 0; h < horizon; h++) {
            horizonPhase[(lookback + h) % m][h] = 1f;
        }
        Operand<TFloat32> whole = tf.dtypes.cast(tf.math.greaterEqual(tf.linalg.matMul(mask, tf.constant(span)),
                tf.constant(2f * half + 1f - 0.5f)), TFloat32.class);                              // [B, L]
        Operand<TFloat32> deviations = tf.math.mul(whole,
                tf.math.sub(units, tf.linalg.matMul(units, tf.constant(average))));              // [B, L]
        Operand<TFloat32> phaseCounts = tf.linalg.matMul(whole, tf.constant(phaseOf));            // [B, m]
        Operand<TFloat32> hasPhase = tf.dtypes.cast(tf.math.greater(phaseCounts, zero), TFloat32.class);
        Operand<TFloat32> index = tf.math.div(tf.linalg.matMul(deviations, tf.constant(phaseOf)),
                tf.math.maximum(phaseCounts, one));                                                 // [B, m]
        Operand<TFloat32> indexMean = tf.math.div(tf.reduceSum(index, tf.constant(1), ReduceSum.keepDims(true)),
                tf.math.maximum(tf.reduceSum(hasPhase, tf.constant(1), ReduceSum.keepDims(true)), one));
        Operand<TFloat32> centred = tf.math.mul(hasPhase, tf.math.sub(index, indexMean));         // [B, m]
        Operand<TFloat32> seasonal = tf.withName(prefix + "trend_seasonal").linalg.matMul(centred,
                tf.constant(horizonPhase));                                                          // [B, H]

        // What the line and the index miss on the window's own buckets: u_t - (level + slope (t - L + 1)) -
        // seasonal_t where observed, 0 on padding.
        Operand<TFloat32> windowSeasonal = tf.linalg.matMul(centred, tf.constant(windowPhase));   // [B, L]
        Operand<TFloat32> line = tf.math.add(level, tf.linalg.matMul(slope, tf.constant(fromEnd)));  // [B, L]
        Operand<TFloat32> residuals = tf.math.mul(mask, tf.math.sub(tf.math.sub(units, line), windowSeasonal));
        return new Trend(level, slope, seasonal, residuals, windowSeasonal, lookback);
    }

    /**
     * The gated damped-trend path [B*H, 1] in scaled units: g (level' + slope sum_{i=1..h+1} phi^i + seasonal_h),
     * with g in (0, 1), phi in (PHI_MIN, 1) and the smoothing alpha of level' in (0, 1) per window from the last
     * hidden state.
     */
    private Operand<TFloat32> gatedTrend(String prefix, Trend trend, Operand<TFloat32> last, int hidden,
                                         int horizon, Operand<TFloat32> seasonWeight) {
        int lookback = trend.lookback();
        Operand<TFloat32> gate = tf.withName(prefix + "trend_gate").math.sigmoid(tf.nn.biasAdd(
                tf.linalg.matMul(last, weight(prefix + "trend_gate_w", hidden, 1)),
                zeros(prefix + "trend_gate_b", 1)));                                                // [B, 1]
        Operand<TFloat32> phi = tf.withName(prefix + "trend_phi").math.add(tf.constant(PHI_MIN),
                tf.math.mul(tf.constant(1f - PHI_MIN), tf.math.sigmoid(tf.nn.biasAdd(
                        tf.linalg.matMul(last, weight(prefix + "trend_phi_w", hidden, 1)),
                        zeros(prefix + "trend_phi_b", 1)))));                                       // [B, 1]
        float[][] exponents = new float[1][horizon];
        float[][] cumulative = new float[horizon][horizon];
        for (int i = 0; i < horizon; i++) {
            exponents[0][i] = i + 1;
            for (int j = i; j < horizon; j++) {
                cumulative[i][j] = 1f;
            }
        }
        Operand<TFloat32> damping = tf.withName(prefix + "trend_damping").linalg.matMul(
                tf.math.exp(tf.math.mul(tf.math.log(phi), tf.constant(exponents))),
                tf.constant(cumulative));                                                          // [B, H]
        // The level follows the latest buckets as simple exponential smoothing of the residuals would: the
        // block level plus sum_j alpha (1 - alpha)^j r_{L-1-j}, alpha in (0, 1) per window from the last hidden
        // state (alpha near 1: the last bucket, deseasonalised, is the level; near 0: the block level stays).
        Operand<TFloat32> alpha = tf.withName(prefix + "trend_alpha").math.sigmoid(tf.nn.biasAdd(
                tf.linalg.matMul(last, weight(prefix + "trend_alpha_w", hidden, 1)),
                zeros(prefix + "trend_alpha_b", 1)));                                               // [B, 1]
        float[][] ages = new float[1][lookback];
        for (int t = 0; t < lookback; t++) {
            ages[0][t] = lookback - 1 - t;
        }
        Operand<TFloat32> smoothing = tf.math.mul(alpha, tf.math.exp(tf.linalg.matMul(
                tf.math.log(tf.math.maximum(tf.math.sub(tf.constant(1f), alpha), tf.constant(1e-6f))),
                tf.constant(ages))));                                                              // [B, L]
        Operand<TFloat32> level = tf.math.add(trend.level(), tf.reduceSum(tf.math.mul(smoothing,
                trend.residuals()), tf.constant(1), ReduceSum.keepDims(true)));                     // [B, 1]
        Operand<TFloat32> line = tf.math.add(level, tf.math.mul(trend.slope(), damping));
        // With the held season, only the windows that do not hold it ([B, 1] weight 1) keep the index here.
        Operand<TFloat32> path = tf.withName(prefix + "trend_path").math.add(line, seasonWeight == null
                ? trend.seasonal() : tf.math.mul(seasonWeight, trend.seasonal()));                 // [B, H]
        return tf.reshape(tf.math.mul(gate, path), tf.constant(new int[] {-1, 1}));
    }

    /**
     * One member: stacked LSTM unrolled over L, then a direct multi-horizon head (MQ-RNN style: the last state
     * gives one context per horizon step, each step adds its known-future features, a small shared layer maps
     * each step to Q quantiles). Returns scaled quantiles [B*H, Q], ascending.
     */
    private Operand<TFloat32> member(String prefix, Operand<TFloat32> inputs, Operand<TFloat32> future,
                                     Operand<TFloat32> anchor, Trend trend, Operand<TFloat32> heldIndex,
                                     Operand<TFloat32> unheld, int lookback, int horizon, int width,
                                     int fw, int q, int median, LstmConfig config) {
        int hidden = config.hiddenUnits();
        // Time-major for the fused recurrence: [L, B, width].
        Operand<TFloat32> sequence = tf.linalg.transpose(inputs, tf.constant(new int[] {1, 0, 2}));
        Variable<TFloat32> wx1 = weight(prefix + "lstm1_wx", width, 4 * hidden);
        Variable<TFloat32> b1 = bias(prefix + "lstm1_b", hidden);
        Variable<TFloat32> wh1 = weight(prefix + "lstm1_wh", hidden, 4 * hidden);
        Operand<TFloat32> states = recurrence(tf, sequence, wx1, wh1, b1, lookback, hidden);       // [L, B, h]
        for (int layer = 2; layer <= config.layers(); layer++) {
            Variable<TFloat32> wx = weight(prefix + "lstm" + layer + "_wx", hidden, 4 * hidden);
            Variable<TFloat32> b = bias(prefix + "lstm" + layer + "_b", hidden);
            Variable<TFloat32> wh = weight(prefix + "lstm" + layer + "_wh", hidden, 4 * hidden);
            states = recurrence(tf, states, wx, wh, b, lookback, hidden);
        }
        Operand<TFloat32> last = tf.reshape(tf.slice(states, tf.constant(new int[] {lookback - 1, 0, 0}),
                tf.constant(new int[] {1, -1, -1})), tf.constant(new int[] {-1, hidden}));         // [B, h]

        int head = config.headUnits();
        // Bias adds as BiasAdd, which the graph optimiser fuses into the matrix product (a plain Add is a pass of its own).
        Operand<TFloat32> context = tf.nn.biasAdd(
                tf.linalg.matMul(last, weight(prefix + "head_context", hidden, horizon * head)),
                zeros(prefix + "head_context_b", horizon * head));
        Operand<TFloat32> futureProjection = tf.linalg.matMul(
                tf.reshape(future, tf.constant(new int[] {-1, fw})), weight(prefix + "head_future", fw, head));
        Operand<TFloat32> stepHidden = tf.nn.relu(tf.math.add(
                tf.reshape(context, tf.constant(new int[] {-1, head})), futureProjection));
        Operand<TFloat32> raw = tf.withName(prefix + "head_raw").nn.biasAdd(tf.linalg.matMul(stepHidden,
                weight(prefix + "head_out", head, q)), zeros(prefix + "head_out_b", q));           // [B*H, Q]
        Operand<TFloat32> trendPath = trend == null ? null
                : gatedTrend(prefix, trend, last, hidden, horizon, unheld);
        if (anchor == null && trendPath == null && heldIndex == null) {
            // Quantiles ascend and stay >= 0: the lowest is softplus(raw0), each next adds softplus(raw_k).
            float[][] ascending = new float[q][q];
            for (int i = 0; i < q; i++) {
                for (int j = i; j < q; j++) {
                    ascending[i][j] = 1f;
                }
            }
            return tf.linalg.matMul(tf.math.softplus(raw), tf.constant(ascending));
        }
        // Residual head: the median is the anchor (and/or the gated trend path, and/or the held seasonal index)
        // plus a correction, the other quantiles step away from it by softplus gaps, so they still ascend;
        // negative values are cut to 0 when serving.
        Operand<TFloat32> anchored = trendPath;
        if (heldIndex != null) {
            anchored = anchored == null ? heldIndex : tf.math.add(anchored, heldIndex);
        }
        if (anchor != null) {
            Variable<TFloat32> gate = zeros(prefix + "anchor_gate", horizon);                      // [H]
            Operand<TFloat32> seasonal = tf.math.sigmoid(gate);
            Operand<TFloat32> mix = tf.concat(List.of(tf.expandDims(seasonal, tf.constant(1)),
                    tf.expandDims(tf.math.sub(tf.constant(1f), seasonal), tf.constant(1))), tf.constant(1)); // [H, 2]
            Operand<TFloat32> mixed = tf.reshape(tf.reduceSum(tf.math.mul(anchor, mix), tf.constant(2)),
                    tf.constant(new int[] {-1, 1}));                                              // [B*H, 1]
            anchored = anchored == null ? mixed : tf.math.add(anchored, mixed);
        }
        float[][] pick = new float[q][1];
        pick[median][0] = 1f;
        float[][] gaps = new float[q][q];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < q; j++) {
                if (median < i && i <= j) {
                    gaps[i][j] = 1f;
                } else if (j <= i && i < median) {
                    gaps[i][j] = -1f;
                }
            }
        }
        Operand<TFloat32> center = tf.math.add(anchored, tf.linalg.matMul(raw, tf.constant(pick)));
        return tf.math.add(center, tf.linalg.matMul(tf.math.softplus(raw), tf.constant(gaps)));
    }
    Signature serving() {
        return Signature.builder().key(SERVING).methodName("tensorflow/serving/predict")
                .input(PAST, past).input(FUTURE, future).output(QUANTILES, quantiles).build();
    }

    Signature trainStep() {
        return Signature.builder().key(TRAIN_STEP).methodName("tensorflow/serving/predict")
                .input(PAST, past).input(FUTURE, future).input(TARGETS, targets).output(LOSS, trainLoss).build();
    }

    private record Scaled(Operand<TFloat32> past, Operand<TFloat32> future, Operand<TFloat32> scale) {
    }

    /**
     * Per-window scaling of the raw inputs. Units are divided by max(mean |units| over the observed lookback,
     * floor) and the outputs multiplied back, so above the floor the model is scale-equivariant (the same forecast
     * in pieces or in dozens); below it, small counts stay counts, which tells the network it sees sparse demand; relative covariates by their mean |value| over the observed lookback (the horizon's mean when the
     * lookback has none, 1 when neither has), minus 1, clipped; flags and the calendar pass as they are. Padded
     * rows stay zero.
     */
    private Scaled scale(Operand<TFloat32> past, FeatureEncoder encoder, float floor, String scaleName) {
        int pw = encoder.pastWidth();
        int fw = encoder.futureWidth();
        int calendar = encoder.firstFutureCovariate();
        int covariates = encoder.covariates().size();
        Operand<TInt32> axis2 = tf.constant(2);
        Operand<TFloat32> units = column(past, FeatureEncoder.UNITS);     // [B, L]
        Operand<TFloat32> mask = column(past, FeatureEncoder.OBSERVED);   // [B, L]
        Operand<TFloat32> count = tf.math.maximum(
                tf.reduceSum(mask, tf.constant(1), ReduceSum.keepDims(true)), tf.constant(1f));     // [B, 1]
        Operand<TFloat32> meanUnits = tf.math.div(
                tf.reduceSum(tf.math.mul(tf.math.abs(units), mask), tf.constant(1), ReduceSum.keepDims(true)),
                count);                                                                            // [B, 1]
        Operand<TFloat32> scale = tf.withName(scaleName).math.maximum(meanUnits, tf.constant(floor));

        List<Operand<TFloat32>> pastParts = new ArrayList<>();
        pastParts.add(tf.expandDims(tf.math.div(units, scale), axis2));
        pastParts.add(columns(past, FeatureEncoder.OBSERVED, encoder.firstPastCovariate()));
        List<Operand<TFloat32>> futureParts = new ArrayList<>();
        futureParts.add(columns(future, 0, calendar));
        if (covariates > 0) {
            Operand<TFloat32> pastCov = columns(past, encoder.firstPastCovariate(), pw);                // [B, L, C]
            Operand<TFloat32> futureCov = columns(future, encoder.firstFutureCovariate(), fw);               // [B, H, C]
            Operand<TFloat32> mask3 = tf.expandDims(mask, axis2);
            Operand<TFloat32> pastLevel = tf.math.div(
                    tf.reduceSum(tf.math.mul(tf.math.abs(pastCov), mask3), tf.constant(1),
                            ReduceSum.keepDims(true)),
                    tf.expandDims(count, axis2));                                                  // [B, 1, C]
            Operand<TFloat32> futureLevel = tf.math.mean(tf.math.abs(futureCov), tf.constant(1),
                    Mean.keepDims(true));
            Operand<TFloat32> zero = tf.constant(0f);
            Operand<TFloat32> level = tf.math.add(pastLevel, tf.math.mul(isZero(pastLevel, zero),
                    tf.math.add(futureLevel, isZero(futureLevel, zero))));
            float[] relative = new float[covariates];
            for (int c = 0; c < covariates; c++) {
                relative[c] = encoder.covariates().get(c).scaling() == CovariateScaling.RELATIVE ? 1f : 0f;
            }
            Operand<TFloat32> rel = tf.constant(relative);
            Operand<TFloat32> notRel = tf.math.sub(tf.constant(1f), rel);
            // divisor = level for relative covariates, 1 for flags; shift = 1 for relative, 0 for flags
            Operand<TFloat32> divisor = tf.math.add(tf.math.mul(level, rel), notRel);
            Operand<TFloat32> low = tf.constant(-COVARIATE_CLIP);
            Operand<TFloat32> high = tf.constant(COVARIATE_CLIP);
            Operand<TFloat32> pastScaled = tf.math.mul(tf.clipByValue(
                    tf.math.sub(tf.math.div(pastCov, divisor), rel), low, high), mask3);
            Operand<TFloat32> futureScaled = tf.clipByValue(
                    tf.math.sub(tf.math.div(futureCov, divisor), rel), low, high);
            pastParts.add(pastScaled);
            futureParts.add(futureScaled);
        }
        Operand<TFloat32> pastScaled = tf.concat(pastParts, axis2);
        Operand<TFloat32> futureScaled = futureParts.size() == 1 ? futureParts.get(0) : tf.concat(futureParts, axis2);
        return new Scaled(pastScaled, futureScaled, scale);
    }

    private Operand<TFloat32> isZero(Operand<TFloat32> x, Operand<TFloat32> zero) {
        return tf.dtypes.cast(tf.math.equal(x, zero), TFloat32.class);
    }

    /**
     * One LSTM layer over a time-major sequence [T, B, width] from a zero state; returns the hidden state of every
     * step [T, B, h]. The cell is the textbook one (gates in the order input, forget, candidate, output; no
     * peepholes, no clipping, no forget bias beyond the learned one): z = [x, h]·[wx; wh] + b, c = σ(f)·c + σ(i)·tanh(g),
     * h = σ(o)·tanh(c). It runs as TensorFlow's fused BlockLSTMV2 kernel, one op for the whole sequence instead of
     * a dozen per step: most of the time of a small cell went into scheduling those ops, not into the arithmetic.
     */
    static Operand<TFloat32> recurrence(Ops tf, Operand<TFloat32> sequence, Operand<TFloat32> wx,
                                        Operand<TFloat32> wh, Operand<TFloat32> b, int steps, int hidden) {
        Operand<TInt32> batch = tf.slice(tf.shape(sequence), tf.constant(new int[] {1}), tf.constant(new int[] {1}));
        // An odd batch gets one zero row for the kernel and loses it after: the kernel warns on every call whose
        // batch times input width is odd (a fine-tune's last batch, a close of 101 series), and rows never mix.
        Operand<TInt32> odd = tf.math.floorMod(batch, tf.constant(new int[] {2}));
        Operand<TInt32> paddings = tf.reshape(tf.concat(List.of(tf.constant(new int[] {0, 0, 0}), odd,
                tf.constant(new int[] {0, 0})), tf.constant(0)), tf.constant(new int[] {3, 2}));
        Operand<TFloat32> even = tf.pad(sequence, paddings, tf.constant(0f));
        Operand<TFloat32> zeroState = tf.fill(tf.concat(List.of(tf.math.add(batch, odd),
                tf.constant(new int[] {hidden})), tf.constant(0)), tf.constant(0f));
        Operand<TFloat32> noPeephole = tf.constant(new float[hidden]);
        Operand<TFloat32> h = tf.nn.blockLSTM(tf.constant((long) steps), even, zeroState, zeroState,
                tf.concat(List.of(wx, wh), tf.constant(0)), noPeephole, noPeephole, noPeephole, b,
                BlockLSTM.cellClip(-1f), BlockLSTM.usePeephole(false)).h();
        return tf.slice(h, tf.constant(new int[] {0, 0, 0}), tf.concat(List.of(tf.constant(new int[] {-1}), batch,
                tf.constant(new int[] {-1})), tf.constant(0)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Operand<?>> blockLstmGradient(Ops tf, BlockLSTM.Inputs in, List<Output<?>> gradients) {
        BlockLSTM<TFloat32> out = (BlockLSTM<TFloat32>) in.getOutputs();
        Operand<TFloat32> csGradient = gradients.get(1) == null ? tf.zerosLike(out.cs())
                : (Operand<TFloat32>) gradients.get(1);
        Operand<TFloat32> hGradient = gradients.get(6) == null ? tf.zerosLike(out.h())
                : (Operand<TFloat32>) gradients.get(6);
        BlockLSTMGrad<TFloat32> g = tf.nn.blockLSTMGrad(in.seqLenMax, in.x, in.csPrev, in.hPrev, in.w, in.wci,
                in.wcf, in.wco, in.b, out.i(), out.cs(), out.f(), out.o(), out.ci(), out.co(), out.h(), csGradient,
                hGradient, in.usePeephole);
        // The sequence length is an integer: its "gradient" is a zero that nothing reads (null is refused).
        return Arrays.asList(tf.zerosLike(in.seqLenMax), g.xGrad(), g.csPrevGrad(), g.hPrevGrad(), g.wGrad(), g.wciGrad(), g.wcfGrad(),
                g.wcoGrad(), g.bGrad());
    }

    /** Glorot-uniform weights drawn from the seeded generator, so a seed fixes the initial network. */
    private Variable<TFloat32> weight(String name, int rows, int cols) {
        double limit = Math.sqrt(6.0 / (rows + cols));
        float[][] init = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                init[i][j] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
        }
        Variable<TFloat32> v = tf.withName(name).variable(tf.constant(init));
        weights.add(v);
        return v;
    }

    /** LSTM gate biases, with the forget gate's at 1 so that early training keeps memory. */
    private Variable<TFloat32> bias(String name, int hidden) {
        float[] init = new float[4 * hidden];
        for (int i = hidden; i < 2 * hidden; i++) {
            init[i] = 1f;
        }
        Variable<TFloat32> v = tf.withName(name).variable(tf.constant(init));
        weights.add(v);
        return v;
    }

    private Variable<TFloat32> zeros(String name, int size) {
        Variable<TFloat32> v = tf.withName(name).variable(tf.constant(new float[size]));
        weights.add(v);
        return v;
    }

    /**
     * Columns [from, to) of the last axis of a [B, T, W] tensor. A slice, not a gather: a gather on the last axis
     * copies float by float, and those copies were the largest single cost of a forecast.
     */
    private Operand<TFloat32> columns(Operand<TFloat32> x, int from, int to) {
        return tf.slice(x, tf.constant(new int[] {0, 0, from}), tf.constant(new int[] {-1, -1, to - from}));
    }

    /** Column {@code c} of the last axis of a [B, T, W] tensor, as [B, T]. */
    private Operand<TFloat32> column(Operand<TFloat32> x, int c) {
        return tf.squeeze(columns(x, c, c + 1), Squeeze.axis(List.of(2L)));
    }

    private static int[] rangeOf(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
