package io.demandcast.model.lstm;

import io.demandcast.model.ModelTrainer;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainingListener;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Trains one global LSTM over all series from scratch: the encoder's covariates are inferred from the histories,
 * windows are drawn from every series, the last {@link LstmConfig#validationBuckets()} buckets of each series are
 * held out by time for early stopping, and the weights of the best validation epoch are kept. With
 * {@link LstmConfig#members()} k above 1 it trains k such networks one after another, each with its own seed, and
 * assembles them as one model that combines their quantiles.
 */
public final class LstmTrainer implements ModelTrainer {

    private final LstmConfig config;

    public LstmTrainer(LstmConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public LstmConfig config() {
        return config;
    }

    @Override
    public LstmModel train(List<SeriesHistory> histories, TrainingListener listener) {
        if (histories.isEmpty()) {
            throw new IllegalArgumentException("no histories to train on");
        }
        FeatureEncoder encoder = FeatureEncoder.forHistories(config.bucket(), config.lookback(), config.horizon(),
                histories);
        TrainingWindows windows = new TrainingWindows(histories, config.horizon(), config.validationBuckets(),
                minTargets(config));
        if (windows.trainingCount() == 0 && config.validationBuckets() > 0
                && new TrainingWindows(histories, config.horizon(), 0, minTargets(config)).trainingCount() > 0) {
            // Histories too short to spare a validation split at this horizon still train: without early
            // stopping (all epochs), refit or band calibration, and the card says validationBuckets 0.
            return new LstmTrainer(config.withTraining(config.epochs(), config.batchSize(), config.learningRate(),
                    config.patience(), config.seed(), 0)).train(histories, listener);
        }
        if (windows.trainingCount() == 0) {
            throw new IllegalArgumentException("no training window: at least one of the " + histories.size()
                    + " histories needs more than horizon = " + config.horizon() + " buckets (more than horizon +"
                    + " validationBuckets = " + (config.horizon() + config.validationBuckets())
                    + " to hold out a validation split)");
        }
        TrainingListener progress = listener == null ? TrainingListener.NONE : listener;
        int members = config.members();
        List<MemberFit> fits = new ArrayList<>(members);
        Graph graph = null;
        Session session = null;
        try {
            // Each member is trained alone, one after another, in a graph of its own: its own seed for the
            // initial weights and the window order, its own early stopping and refit. Members trained together in
            // one graph saw the same batches in the same order and erred alike (BENCHMARKS.md).
            LstmGraph network = null;
            for (int m = 0; m < members; m++) {
                LstmConfig single = memberConfig(m);
                if (members > 1) {
                    progress.onMember(m + 1, members, single.seed());
                }
                Graph memberGraph = new Graph();
                Session memberSession = null;
                try {
                    LstmGraph memberNetwork = new LstmGraph(memberGraph, encoder, single);
                    memberSession = openSession(memberGraph);
                    memberSession.initialize();
                    fits.add(trainMember(single, memberSession, memberNetwork, encoder, histories, windows,
                            progress));
                    if (members == 1) {
                        graph = memberGraph;
                        session = memberSession;
                        network = memberNetwork;
                        memberGraph = null;
                        memberSession = null;
                    }
                } finally {
                    if (memberSession != null) {
                        memberSession.close();
                    }
                    if (memberGraph != null) {
                        memberGraph.close();
                    }
                }
            }
            if (members > 1) {
                graph = new Graph();
                network = new LstmGraph(graph, encoder, config);
                session = openSession(graph);
                session.initialize();
            }
            // The band is fitted on the combined output of the members' early-stopped weights, which never
            // targeted the validation buckets; the refitted weights, which did, come in after it.
            writeWeights(session, network, assemble(network, fits, false));
            // One pass over the validation windows serves the band and the guard.
            ValidationRun validation = validate(session, network, encoder, histories, windows);
            double[] band = calibrate(session, network, validation);
            Map<String, double[]> guardScores = new LinkedHashMap<>();
            SeriesGuard guard = guard(histories, windows, validation, guardScores);
            if (fits.stream().anyMatch(f -> f.refitted() != null)) {
                writeWeights(session, network, assemble(network, fits, true));
                setBand(session, network, band);
            }
            Instant now = Instant.now();
            ModelCard card = new ModelCard(LstmModel.newVersion(now), null, now, config.bucket(), config.lookback(),
                    config.horizon(), config.quantiles(), encoder.pastFeatures(), encoder.futureFeatures(),
                    encoder.covariates(),
                    histories.stream().map(SeriesHistory::start).min(Instant::compareTo).orElseThrow(),
                    histories.stream().map(SeriesHistory::end).max(Instant::compareTo).orElseThrow(),
                    histories.size(), settings(fits, windows, band, guard), Map.of());
            LstmModel model = new LstmModel(graph, session, network, encoder, card, config.inferenceBatchSize());
            model.guardScores(guardScores);
            session = null;
            graph = null;
            return model;
        } finally {
            if (session != null) {
                session.close();
            }
            if (graph != null) {
                graph.close();
            }
        }
    }

    /**
     * The seed of member {@code m}: the configured seed for the first (so one member is the single network of
     * that seed), then steps of the golden-ratio constant. Adjacent seeds would do for the window order, but
     * java.util.Random's first draws from adjacent seeds are strongly correlated, and they set initial weights.
     */
    static long memberSeed(long seed, int m) {
        return seed + m * 0x9E3779B97F4A7C15L;
    }

    /** The settings one member trains with: a single network of its own seed, with or without the trend skip. */
    private LstmConfig memberConfig(int m) {
        return config.withEnsemble(1, config.residual()).withTrendSkip(config.trendSkip(m)).withPlainMembers(0)
                .withTraining(config.epochs(), config.batchSize(), config.learningRate(), config.patience(),
                        memberSeed(config.seed(), m), config.validationBuckets());
    }

    private Session openSession(Graph graph) {
        return config.threads() > 0 ? new Session(graph, LstmModel.sessionConfig(config.threads()))
                : new Session(graph);
    }

    /** One member's training: its early-stopped weights and, with the refit, the weights after it (else null). */
    private record MemberFit(long seed, Fit fit, int refitEpochs, Map<String, float[]> fitted,
                             Map<String, float[]> refitted) {
    }

    private MemberFit trainMember(LstmConfig single, Session session, LstmGraph network, FeatureEncoder encoder,
                                  List<SeriesHistory> histories, TrainingWindows windows,
                                  TrainingListener listener) {
        Fit fit = fit(single, session, network, encoder, histories, windows, listener);
        Map<String, float[]> fitted = byName(network, readWeights(session, network));
        if (!single.refit() || fit.bestEpoch() == 0 || windows.validation().isEmpty()) {
            return new MemberFit(single.seed(), fit, 0, fitted, null);
        }
        // From the best epoch's weights, train as many epochs again on every window, the validation buckets
        // included: they are the most recent demand, which the forecasts start from and which the network never
        // had as a target (M3 monthly mean MASE 0.912 -> 0.897; off by default, see LstmConfig#refit for what it
        // cost on daily retail).
        refit(single, session, network, encoder, histories, fit.bestEpoch(), listener);
        return new MemberFit(single.seed(), fit, fit.bestEpoch(), fitted,
                byName(network, readWeights(session, network)));
    }

    private static Map<String, float[]> byName(LstmGraph network, float[][] values) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            out.put(network.weights.get(i).op().name(), values[i]);
        }
        return out;
    }

    /**
     * The values of the assembled network's variables, in its order: member m's variable {@code m<m>_NAME} takes
     * the value of {@code NAME} from member m's own training (its refitted weights when asked and it has them).
     */
    private static float[][] assemble(LstmGraph network, List<MemberFit> fits, boolean refitted) {
        float[][] out = new float[network.weights.size()][];
        for (int i = 0; i < out.length; i++) {
            String name = network.weights.get(i).op().name();
            int m = 0;
            String own = name;
            if (fits.size() > 1) {
                int cut = name.indexOf('_');
                m = cut > 1 && name.charAt(0) == 'm' ? parseMember(name.substring(1, cut)) : -1;
                own = name.substring(cut + 1);
                if (m < 0 || m >= fits.size()) {
                    throw new IllegalStateException("variable '" + name + "' of the assembled network belongs to"
                            + " no member of " + fits.size());
                }
            }
            MemberFit fit = fits.get(m);
            Map<String, float[]> values = refitted && fit.refitted() != null ? fit.refitted() : fit.fitted();
            float[] v = values.get(own);
            long size = network.weights.get(i).shape().size();
            if (v == null || v.length != size) {
                throw new IllegalStateException("member " + m + " has " + (v == null ? "no variable '" + own + "'"
                        : v.length + " values for '" + own + "'") + " but the assembled network's '" + name
                        + "' needs " + size + "; member variables: " + values.keySet());
            }
            out[i] = v;
        }
        return out;
    }

    private static int parseMember(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void refit(LstmConfig single, Session session, LstmGraph network, FeatureEncoder encoder,
                              List<SeriesHistory> histories, int epochs, TrainingListener listener) {
        TrainingWindows all = new TrainingWindows(histories, single.horizon(), 0, minTargets(single));
        Random random = new Random(single.seed());
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double loss = Epochs.train(b -> run(session, network, b, true), encoder, histories,
                    all.epoch(random, single.maxWindowsPerSeries()), single.batchSize());
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged on all windows: loss " + loss + " at epoch "
                        + epoch + " of " + epochs + " with " + single);
            }
            listener.onRefitEpoch(epoch, epochs, loss);
        }
    }

    /** The fewest observed targets of a training window: half the horizon with partial windows, else all. */
    static int minTargets(LstmConfig config) {
        return config.partialWindows() ? (config.horizon() + 1) / 2 : config.horizon();
    }

    private record Fit(int epochsRun, int bestEpoch, double bestValidationLoss, double lastTrainLoss) {
    }

    private static Fit fit(LstmConfig config, Session session, LstmGraph network, FeatureEncoder encoder,
                           List<SeriesHistory> histories, TrainingWindows windows, TrainingListener listener) {
        Random random = new Random(config.seed());
        boolean validate = !windows.validation().isEmpty();
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        float[][] bestWeights = null;
        double trainLoss = Double.NaN;
        int epoch = 0;
        while (epoch < config.epochs()) {
            epoch++;
            trainLoss = Epochs.train(b -> run(session, network, b, true), encoder, histories,
                    windows.epoch(random, config.maxWindowsPerSeries()), config.batchSize());
            double validationLoss = validate ? Epochs.train(b -> run(session, network, b, false), encoder,
                    histories, windows.validation(), Math.max(config.batchSize(), 1024)) : Double.NaN;
            listener.onEpoch(epoch, config.epochs(), trainLoss, validationLoss);
            if (!Double.isFinite(trainLoss)) {
                throw new IllegalStateException("training diverged: loss " + trainLoss + " at epoch " + epoch
                        + " with " + config);
            }
            if (validate) {
                if (validationLoss < best) {
                    best = validationLoss;
                    bestEpoch = epoch;
                    bestWeights = readWeights(session, network);
                } else if (epoch - bestEpoch >= config.patience()) {
                    break;
                }
            }
        }
        if (bestWeights != null && bestEpoch != epoch) {
            writeWeights(session, network, bestWeights);
        }
        return new Fit(epoch, validate ? bestEpoch : epoch, validate ? best : Double.NaN, trainLoss);
    }

    private static double run(Session session, LstmGraph network, EncodedBatch b, boolean train) {
        try (TFloat32 past = LstmModel.tensor(b.past(), b.size(), b.lookback(), b.pastWidth());
             TFloat32 future = LstmModel.tensor(b.future(), b.size(), b.horizon(), b.futureWidth());
             TFloat32 targets = LstmModel.tensor(b.targets(), b.size(), b.horizon());
             Result r = session.runner().feed(network.past, past).feed(network.future, future)
                     .feed(network.targets, targets).fetch(train ? network.trainLoss : network.loss).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    private static float[][] readWeights(Session session, LstmGraph network) {
        Session.Runner runner = session.runner();
        network.weights.forEach(runner::fetch);
        float[][] out = new float[network.weights.size()][];
        try (Result r = runner.run()) {
            for (int i = 0; i < out.length; i++) {
                TFloat32 t = (TFloat32) r.get(i);
                out[i] = new float[Math.toIntExact(t.shape().size())];
                t.asRawTensor().data().asFloats().read(out[i]);
            }
        }
        return out;
    }

    private static void writeWeights(Session session, LstmGraph network, float[][] values) {
        Session.Runner runner = session.runner();
        List<Tensor> feeds = new ArrayList<>();
        try {
            for (int i = 0; i < values.length; i++) {
                TFloat32 t = LstmModel.tensor(values[i], network.weights.get(i).shape().asArray());
                feeds.add(t);
                runner.feed(network.weightFeeds.get(i), t).addTarget(network.weightAssigns.get(i));
            }
            runner.run().close();
        } finally {
            feeds.forEach(Tensor::close);
        }
    }

    /**
     * Factors tried for each side of the band: 0.5 to 4 in steps of 0.05, where the band is served with the
     * weights it was fitted on. With a refit (monthly defaults) the served weights have also been trained on the
     * validation buckets and their band only gets more confident, so there the band is never narrowed (from 1).
     * Narrowing matters on daily retail data: the network's own band is too wide on the side where demand can
     * fall to 0, and a lower quantile near 0 covers every quiet day.
     */
    private static final double[] FACTORS = java.util.stream.IntStream.rangeClosed(10, 80)
            .mapToDouble(i -> i * 0.05).toArray();

    /** The factors {@link #fitBand} may choose from, with or without a refit after the calibration. */
    static double[] factors(boolean refit) {
        return refit ? java.util.Arrays.stream(FACTORS).filter(c -> c >= 1).toArray() : FACTORS.clone();
    }

    /**
     * The uncalibrated outputs of the network on the validation windows, in window order, with their targets and
     * each row's window scale.
     */
    record ValidationRun(List<float[]> outputs, List<float[]> targets, List<float[]> scales) {
    }

    private static ValidationRun validate(Session session, LstmGraph network, FeatureEncoder encoder,
                                          List<SeriesHistory> histories, TrainingWindows windows) {
        List<float[]> outputs = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        List<float[]> scales = new ArrayList<>();
        if (windows.validation().isEmpty()) {
            return new ValidationRun(outputs, targets, scales);
        }
        // Epochs runs the windows in their order, so output row r belongs to window r / H, step r % H.
        Epochs.train(b -> {
            try (TFloat32 past = LstmModel.tensor(b.past(), b.size(), b.lookback(), b.pastWidth());
                 TFloat32 future = LstmModel.tensor(b.future(), b.size(), b.horizon(), b.futureWidth());
                 Result r = session.runner().feed(network.past, past).feed(network.future, future)
                         .fetch(network.uncalibrated).fetch(network.rowScale).run()) {
                outputs.add(LstmModel.floats(r));
                scales.add(LstmModel.floats(r, 1));
                targets.add(b.targets());
                return 0;
            }
        }, encoder, histories, windows.validation(), 1024);
        return new ValidationRun(outputs, targets, scales);
    }

    /**
     * Fits the band's factor below and above the median on the validation windows (the buckets training never
     * targeted): per side, the factor with the least pinball loss over that side's quantiles, scored as the graph
     * serves them (clamped at 0, and 0 under {@link LstmGraph#ZERO_SHARE} of the scale). The network's own band is
     * fitted on its training windows and can be too narrow or too wide for buckets it never saw; this puts the
     * band where unseen buckets fall. Without validation windows the band stays as trained.
     */
    private double[] calibrate(Session session, LstmGraph network, ValidationRun validation) {
        double[] band = fitBand(validation, config.quantiles(), factors(config.refit()));
        setBand(session, network, band);
        return band;
    }

    /**
     * Per side of the median, the factor of {@code factors} with the least pinball loss on the validation run
     * ({1, 1}, the network's own band, without windows or without a band; a tie keeps the factor nearer 1).
     */
    static double[] fitBand(ValidationRun validation, double[] levels, double[] factors) {
        double[] band = {1, 1};
        if (validation.outputs().isEmpty() || levels.length < 2) {
            return band;
        }
        int median = LstmGraph.medianIndex(levels);
        for (int side = 0; side < 2; side++) {
            int from = side == 0 ? 0 : median + 1;
            int to = side == 0 ? median : levels.length;
            double bestLoss = sideLoss(validation, levels, median, from, to, 1);
            for (double c : factors) {
                double loss = sideLoss(validation, levels, median, from, to, c);
                if (loss < bestLoss || loss == bestLoss && Math.abs(c - 1) < Math.abs(band[side] - 1)) {
                    bestLoss = loss;
                    band[side] = c;
                }
            }
        }
        return band;
    }

    /** The pinball loss of quantiles {@code from..to-1} moved to {@code median + c * (q - median)}, as served. */
    private static double sideLoss(ValidationRun validation, double[] levels, int median, int from, int to,
                                   double c) {
        int q = levels.length;
        double sum = 0;
        for (int part = 0; part < validation.outputs().size(); part++) {
            float[] out = validation.outputs().get(part);
            float[] y = validation.targets().get(part);
            float[] scale = validation.scales().get(part);
            for (int row = 0; row < y.length; row++) {
                if (Double.isNaN(y[row])) {
                    continue;
                }
                double center = out[row * q + median];
                double zero = scale[row] * (double) LstmGraph.ZERO_SHARE;
                for (int k = from; k < to; k++) {
                    double value = Math.max(0, center + c * (out[row * q + k] - center));
                    value = value < zero ? 0 : value;   // as the graph serves it
                    double error = y[row] - value;
                    sum += Math.max(levels[k] * error, (levels[k] - 1) * error);
                }
            }
        }
        return sum;
    }

    /**
     * Scores each series' median (the early-stopped weights, which never had the validation buckets as targets)
     * and seasonal naive from the same origins on the validation windows, and decides the guard; null without
     * validation windows. Fills {@code scores} with each scored series' two errors.
     */
    private SeriesGuard guard(List<SeriesHistory> histories, TrainingWindows windows, ValidationRun run,
                              Map<String, double[]> scores) {
        List<TrainingWindows.Window> validation = windows.validation();
        if (validation.isEmpty()) {
            return null;
        }
        int h = config.horizon();
        int q = config.quantiles().length;
        int median = LstmGraph.medianIndex(config.quantiles());
        List<float[]> outputs = run.outputs();
        List<float[]> targets = run.targets();
        List<SeriesHistory> heads = new ArrayList<>(validation.size());
        for (TrainingWindows.Window w : validation) {
            heads.add(histories.get(w.series()).head(w.origin()));
        }
        List<QuantileForecast> naive = new SeasonalNaive(config.quantiles()).forecast(heads, h);
        double[] lstmError = new double[histories.size()];
        double[] naiveError = new double[histories.size()];
        int[] counts = new int[histories.size()];
        int window = 0;
        for (int part = 0; part < outputs.size(); part++) {
            float[] out = outputs.get(part);
            float[] y = targets.get(part);
            for (int row = 0; row < y.length; row += h, window++) {
                int series = validation.get(window).series();
                for (int step = 0; step < h; step++) {
                    double actual = y[row + step];
                    if (Double.isNaN(actual)) {
                        continue;
                    }
                    lstmError[series] += Math.abs(actual - out[(row + step) * q + median]);
                    naiveError[series] += Math.abs(actual - naive.get(window).p50(step));
                    counts[series]++;
                }
            }
        }
        List<String> names = new ArrayList<>(histories.size());
        for (int s = 0; s < histories.size(); s++) {
            names.add(histories.get(s).series());
            lstmError[s] = counts[s] == 0 ? Double.NaN : lstmError[s] / counts[s];
            naiveError[s] = counts[s] == 0 ? Double.NaN : naiveError[s] / counts[s];
            if (counts[s] > 0) {
                scores.put(names.get(s), new double[] {lstmError[s], naiveError[s]});
            }
        }
        return SeriesGuard.decide(names, lstmError, naiveError, config.validationBuckets());
    }

    private static void setBand(Session session, LstmGraph network, double[] band) {
        try (TFloat32 value = LstmModel.tensor(new float[] {(float) band[0], (float) band[1]}, 2)) {
            session.runner().feed(network.bandFeed, value).addTarget(network.bandAssign).run().close();
        }
    }

    private Map<String, Object> settings(List<MemberFit> fits, TrainingWindows windows, double[] band,
                                         SeriesGuard guard) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trainer", "LstmTrainer");
        s.put("layers", config.layers());
        s.put("hiddenUnits", config.hiddenUnits());
        s.put("headUnits", config.headUnits());
        s.put("epochs", config.epochs());
        s.put("batchSize", config.batchSize());
        s.put("learningRate", config.learningRate());
        s.put("patience", config.patience());
        s.put("seed", config.seed());
        s.put("validationBuckets", config.validationBuckets());
        s.put("scaleFloor", config.scaleFloor());
        s.put("maxWindowsPerSeries", config.maxWindowsPerSeries());
        s.put("members", config.members());
        s.put("residual", config.residual());
        s.put("refit", config.refit());
        s.put("maseWeighted", config.maseWeighted());
        s.put("trendSkip", config.trendSkip());
        s.put("plainMembers", config.plainMembers());
        s.put("recurrentLookback", config.recurrentLookback());
        s.put("heldSeason", config.heldSeason());
        s.put("partialWindows", config.partialWindows());
        s.put("bandWideningLower", band[0]);
        s.put("bandWideningUpper", band[1]);
        s.put("trainingWindows", windows.trainingCount());
        s.put("validationWindows", windows.validation().size());
        if (guard != null) {
            s.put(SeriesGuard.CARD_KEY, guard.toCard());
        }
        if (fits.size() == 1) {
            putFit(s, fits.get(0));
        } else {
            // Each member trained alone on the whole lookback; its own early stopping and refit are recorded.
            s.put("memberTraining", "separate");
            s.put("memberCombination", LstmGraph.COMBINATION.label());
            List<Map<String, Object>> members = new ArrayList<>();
            for (MemberFit f : fits) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("seed", f.seed());
                putFit(m, f);
                members.add(m);
            }
            s.put("memberFits", members);
        }
        return s;
    }

    private static void putFit(Map<String, Object> s, MemberFit f) {
        s.put("refitEpochs", f.refitEpochs());
        s.put("epochsRun", f.fit().epochsRun());
        s.put("bestEpoch", f.fit().bestEpoch());
        s.put("bestValidationLoss", Double.isFinite(f.fit().bestValidationLoss()) ? f.fit().bestValidationLoss()
                : null);
        s.put("lastTrainLoss", f.fit().lastTrainLoss());
    }
}
