package io.demandcast.model.lstm;

import io.demandcast.model.ModelTrainer;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainingListener;
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
 * held out by time for early stopping, and the weights of the best validation epoch are kept.
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
        TrainingWindows windows = new TrainingWindows(histories, config.horizon(), config.validationBuckets());
        if (windows.trainingCount() == 0) {
            throw new IllegalArgumentException("no training window: each of the " + histories.size()
                    + " histories needs more than horizon + validationBuckets = "
                    + (config.horizon() + config.validationBuckets()) + " buckets");
        }
        Graph graph = new Graph();
        Session session = null;
        try {
            LstmGraph network = new LstmGraph(graph, encoder, config);
            session = config.threads() > 0 ? new Session(graph, LstmModel.sessionConfig(config.threads()))
                    : new Session(graph);
            session.initialize();
            Fit fit = fit(session, network, encoder, histories, windows, listener == null ? TrainingListener.NONE
                    : listener);
            double[] band = calibrate(session, network, encoder, histories, windows);
            if (config.refit() && fit.bestEpoch() > 0 && !windows.validation().isEmpty()) {
                // From the best epoch's weights, train as many epochs again on every window, the validation
                // buckets included: they are the most recent demand, which the forecasts start from and which
                // the network never had as a target (M3 monthly mean MASE 0.912 -> 0.897; off by default, see
                // LstmConfig#refit for what it cost on daily retail).
                refit(session, network, encoder, histories, fit.bestEpoch());
                setBand(session, network, band);
            }
            Instant now = Instant.now();
            ModelCard card = new ModelCard(LstmModel.newVersion(now), null, now, config.bucket(), config.lookback(),
                    config.horizon(), config.quantiles(), encoder.pastFeatures(), encoder.futureFeatures(),
                    encoder.covariates(),
                    histories.stream().map(SeriesHistory::start).min(Instant::compareTo).orElseThrow(),
                    histories.stream().map(SeriesHistory::end).max(Instant::compareTo).orElseThrow(),
                    histories.size(), settings(fit, windows, band), Map.of());
            LstmModel model = new LstmModel(graph, session, network, encoder, card, config.inferenceBatchSize());
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

    private void refit(Session session, LstmGraph network, FeatureEncoder encoder, List<SeriesHistory> histories,
                       int epochs) {
        TrainingWindows all = new TrainingWindows(histories, config.horizon(), 0);
        Random random = new Random(config.seed());
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double loss = Epochs.train(b -> run(session, network, b, true), encoder, histories,
                    all.epoch(random, config.maxWindowsPerSeries()), config.batchSize());
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged on all windows: loss " + loss + " at epoch "
                        + epoch + " of " + epochs + " with " + config);
            }
        }
    }

    private record Fit(int epochsRun, int bestEpoch, double bestValidationLoss, double lastTrainLoss) {
    }

    private Fit fit(Session session, LstmGraph network, FeatureEncoder encoder, List<SeriesHistory> histories,
                    TrainingWindows windows, TrainingListener listener) {
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
     * Widening factors tried for each side of the band: 1 to 4 in steps of 0.05. Never narrower than trained: the
     * model is then refitted on the validation buckets too and its band only gets more confident, and on the
     * daily retail set a narrowing fitted on the weeks before a seasonal peak cost coverage on the peak.
     */
    private static final double[] WIDENINGS = java.util.stream.IntStream.rangeClosed(20, 80)
            .mapToDouble(i -> i * 0.05).toArray();

    /**
     * Fits the band's widening below and above the median on the validation windows (the buckets training never
     * targeted): per side, the factor with the least pinball loss over that side's quantiles. A network trained
     * on pinball loss tends to a band too narrow for the future (its training windows are also its fit), which
     * the holdout's P10-P90 coverage shows; this puts the band where unseen buckets fall. Without validation
     * windows the band stays as trained.
     */
    private double[] calibrate(Session session, LstmGraph network, FeatureEncoder encoder,
                               List<SeriesHistory> histories, TrainingWindows windows) {
        double[] band = {1, 1};
        if (windows.validation().isEmpty() || config.quantiles().length < 2) {
            return band;
        }
        List<float[]> outputs = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        Epochs.train(b -> {
            try (TFloat32 past = LstmModel.tensor(b.past(), b.size(), b.lookback(), b.pastWidth());
                 TFloat32 future = LstmModel.tensor(b.future(), b.size(), b.horizon(), b.futureWidth());
                 Result r = session.runner().feed(network.past, past).feed(network.future, future)
                         .fetch(network.uncalibrated).run()) {
                outputs.add(LstmModel.floats(r));
                targets.add(b.targets());
                return 0;
            }
        }, encoder, histories, windows.validation(), 1024);
        double[] levels = config.quantiles();
        int q = levels.length;
        int median = LstmGraph.medianIndex(levels);
        for (int side = 0; side < 2; side++) {
            double bestLoss = Double.POSITIVE_INFINITY;
            for (double c : WIDENINGS) {
                double sum = 0;
                for (int part = 0; part < outputs.size(); part++) {
                    float[] out = outputs.get(part);
                    float[] y = targets.get(part);
                    for (int row = 0; row < y.length; row++) {
                        double center = out[row * q + median];
                        for (int k = side == 0 ? 0 : median + 1; k < (side == 0 ? median : q); k++) {
                            double value = Math.max(0, center + c * (out[row * q + k] - center));
                            double error = y[row] - value;
                            sum += Math.max(levels[k] * error, (levels[k] - 1) * error);
                        }
                    }
                }
                if (sum < bestLoss) {
                    bestLoss = sum;
                    band[side] = c;
                }
            }
        }
        setBand(session, network, band);
        return band;
    }

    private static void setBand(Session session, LstmGraph network, double[] band) {
        try (TFloat32 value = LstmModel.tensor(new float[] {(float) band[0], (float) band[1]}, 2)) {
            session.runner().feed(network.bandFeed, value).addTarget(network.bandAssign).run().close();
        }
    }

    private Map<String, Object> settings(Fit fit, TrainingWindows windows, double[] band) {
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
        List<Integer> lookbacks = new ArrayList<>();
        for (int m = 0; m < config.members(); m++) {
            lookbacks.add(LstmGraph.memberLookback(config.lookback(), config.members(), m));
        }
        s.put("memberLookbacks", lookbacks);
        s.put("residual", config.residual());
        s.put("maseWeighted", config.maseWeighted());
        s.put("bandWideningLower", band[0]);
        s.put("bandWideningUpper", band[1]);
        s.put("refitEpochs", !config.refit() || windows.validation().isEmpty() ? 0 : fit.bestEpoch());
        s.put("trainingWindows", windows.trainingCount());
        s.put("validationWindows", windows.validation().size());
        s.put("epochsRun", fit.epochsRun());
        s.put("bestEpoch", fit.bestEpoch());
        s.put("bestValidationLoss", Double.isFinite(fit.bestValidationLoss()) ? fit.bestValidationLoss() : null);
        s.put("lastTrainLoss", fit.lastTrainLoss());
        return s;
    }
}
