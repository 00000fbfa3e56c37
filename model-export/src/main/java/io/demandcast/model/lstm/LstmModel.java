package io.demandcast.model.lstm;

import io.demandcast.model.ForecastBlock;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainedModel;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * A trained LSTM: forecasts in batches, fine-tunes through its {@code train_step}, exports itself as a SavedModel
 * with its model card. It owns its TensorFlow graph and session; close it once.
 *
 * <p>Forecasting is thread-safe: several stream threads may call {@link #forecast} at once (TensorFlow sessions
 * run concurrently). {@link #fineTune} and {@link #export} wait for running forecasts and block new ones.
 */
public final class LstmModel implements TrainedModel {

    public static final String METHOD = "lstm";
    /** Series per session run unless the loader says otherwise (4,096 measured no faster on 2 cores). */
    public static final int DEFAULT_BATCH = 1024;

    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final AutoCloseable owner;
    private final Graph graph;
    private final Session session;
    private final List<Signature> signatures;
    private final String pastName;
    private final String futureName;
    private final String targetsName;
    private final String quantilesName;
    private final String trainLossName;
    private final FeatureEncoder encoder;
    private final double[] levels;
    private final int inferenceBatchSize;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** Input arrays of {@code inferenceBatchSize} rows, reused by {@link #forecastBlock} (see {@link #inputBuffers}). */
    private final Queue<float[][]> spareInputs = new ConcurrentLinkedQueue<>();
    private volatile ModelCard card;
    /** Per series, {LSTM, seasonal naive} mean absolute error on the validation buckets; see guardScores(). */
    private volatile Map<String, double[]> guardScores = Map.of();
    private boolean closed;

    /** A model trained in this process: takes ownership of the graph and session. */
    LstmModel(Graph graph, Session session, LstmGraph network, FeatureEncoder encoder, ModelCard card,
              int inferenceBatchSize) {
        this.owner = () -> {
            session.close();
            graph.close();
        };
        this.graph = graph;
        this.session = session;
        this.signatures = List.of(network.serving(), network.trainStep());
        this.pastName = network.past.op().name();
        this.futureName = network.future.op().name();
        this.targetsName = network.targets.op().name();
        this.quantilesName = network.quantiles.op().name();
        this.trainLossName = network.trainLoss.op().name();
        this.encoder = encoder;
        this.card = card;
        this.levels = card.quantiles();
        this.inferenceBatchSize = inferenceBatchSize;
    }

    private LstmModel(SavedModelBundle bundle, FeatureEncoder encoder, ModelCard card, int inferenceBatchSize,
                      Signature serving, Signature trainStep) {
        this.owner = bundle;
        this.graph = bundle.graph();
        this.session = bundle.session();
        this.signatures = List.of(serving, trainStep);
        this.pastName = serving.getInputs().get(LstmGraph.PAST).name;
        this.futureName = serving.getInputs().get(LstmGraph.FUTURE).name;
        this.quantilesName = serving.getOutputs().get(LstmGraph.QUANTILES).name;
        this.targetsName = trainStep.getInputs().get(LstmGraph.TARGETS).name;
        this.trainLossName = trainStep.getOutputs().get(LstmGraph.LOSS).name;
        this.encoder = encoder;
        this.card = card;
        this.levels = card.quantiles();
        this.inferenceBatchSize = inferenceBatchSize;
    }

    /** Loads a model exported by {@link #export}, forecasting 1024 series per session run. */
    public static LstmModel load(Path dir) throws IOException {
        return load(dir, DEFAULT_BATCH, 0);
    }

    /**
     * Loads a SavedModel directory with its {@code model-card.json}, checking that the card's features are the
     * ones this code's encoder builds and that the signatures take them.
     *
     * @param inferenceBatchSize series per session run in {@link #forecast}
     * @param threads TensorFlow intra-op threads (0: one per core)
     * @throws IOException when the card is missing or unreadable, the SavedModel cannot be loaded, or the model
     *                     does not match this encoder; the message names the file and the mismatch
     */
    public static LstmModel load(Path dir, int inferenceBatchSize, int threads) throws IOException {
        if (inferenceBatchSize < 1) {
            throw new IllegalArgumentException("inferenceBatchSize must be at least 1; got " + inferenceBatchSize);
        }
        ModelCard card = ModelCard.read(dir);
        FeatureEncoder encoder = card.encoder();
        Path cardFile = dir.resolve(ModelCard.FILE_NAME);
        if (!encoder.pastFeatures().equals(card.pastFeatures())
                || !encoder.futureFeatures().equals(card.futureFeatures())) {
            throw new IOException(cardFile + ": the model takes past features " + card.pastFeatures()
                    + " and future features " + card.futureFeatures() + ", but this encoder builds "
                    + encoder.pastFeatures() + " and " + encoder.futureFeatures() + " for a "
                    + card.bucket().label() + " bucket; the model was made by an incompatible encoder");
        }
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new IOException("no SavedModel: expected " + dir.resolve("saved_model.pb") + " beside "
                    + cardFile);
        }
        SavedModelBundle bundle;
        try {
            SavedModelBundle.Loader loader = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG);
            if (threads > 0) {
                loader = loader.withConfigProto(servingConfig(threads));
            }
            bundle = loader.load();
        } catch (TensorFlowException e) {
            throw new IOException("cannot load the SavedModel in " + dir + ": " + e.getMessage(), e);
        }
        try {
            Signature serving = signature(bundle, LstmGraph.SERVING, dir);
            Signature trainStep = signature(bundle, LstmGraph.TRAIN_STEP, dir);
            int q = card.quantiles().length;
            expectShape(dir, serving, true, LstmGraph.PAST, Shape.of(-1, card.lookback(), encoder.pastWidth()));
            expectShape(dir, serving, true, LstmGraph.FUTURE, Shape.of(-1, card.horizon(), encoder.futureWidth()));
            expectShape(dir, serving, false, LstmGraph.QUANTILES, Shape.of(-1, card.horizon(), q));
            expectShape(dir, trainStep, true, LstmGraph.PAST, Shape.of(-1, card.lookback(), encoder.pastWidth()));
            expectShape(dir, trainStep, true, LstmGraph.FUTURE,
                    Shape.of(-1, card.horizon(), encoder.futureWidth()));
            expectShape(dir, trainStep, true, LstmGraph.TARGETS, Shape.of(-1, card.horizon()));
            expectShape(dir, trainStep, false, LstmGraph.LOSS, Shape.scalar());
            return new LstmModel(bundle, encoder, card, inferenceBatchSize, serving, trainStep);
        } catch (IOException | RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static Signature signature(SavedModelBundle bundle, String key, Path dir) throws IOException {
        for (Signature s : bundle.signatures()) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        List<String> keys = bundle.signatures().stream().map(Signature::key).toList();
        throw new IOException("the SavedModel in " + dir + " has no signature '" + key + "'; it has " + keys);
    }

    private static void expectShape(Path dir, Signature signature, boolean input, String name, Shape expected)
            throws IOException {
        Map<String, Signature.TensorDescription> map = input ? signature.getInputs() : signature.getOutputs();
        Signature.TensorDescription d = map.get(name);
        if (d == null) {
            throw new IOException("signature '" + signature.key() + "' of " + dir + " has no " + (input ? "input"
                    : "output") + " '" + name + "'; it has " + map.keySet());
        }
        // Shape.equals treats unknown dimensions as never equal, so compare the dimension lists.
        if (d.shape == null || !Arrays.equals(d.shape.asArray(), expected.asArray())) {
            throw new IOException("signature '" + signature.key() + "' of " + dir + ": " + name + " has shape "
                    + d.shape + " but the model card's features need " + expected);
        }
    }

    /**
     * The session of a loaded model: {@code threads} per op, and an inter-op pool with room for every core, so
     * that forecasts called from several threads at once run side by side. With one inter-op thread (as in
     * {@link #sessionConfig}) two stream threads' session runs took turns on it: 2 callers on 2 free cores did
     * about 58,000 series/s with 1.2 cores busy (ModelBench infer 1 1024).
     */
    static ConfigProto servingConfig(int threads) {
        return ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(Math.max(threads, Runtime.getRuntime().availableProcessors()))
                .setUsePerSessionThreads(true).build();
    }

    static ConfigProto sessionConfig(int threads) {
        // Without per-session pools TensorFlow sizes one process-wide pool from the first session it meets, and
        // this session's thread count (and with it reproducible reductions) would silently not apply.
        return ConfigProto.newBuilder().setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(threads).setUsePerSessionThreads(true).build();
    }

    static String newVersion(Instant now) {
        byte[] salt = new byte[3];
        new SecureRandom().nextBytes(salt);
        return "lstm-" + VERSION_TIME.format(now) + "-" + HexFormat.of().formatHex(salt);
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public String version() {
        return card.version();
    }

    /** The card that {@link #export} writes: provenance, features, training range, holdout metrics. */
    public ModelCard card() {
        return card;
    }

    /**
     * The per-series guard recorded in the card at training time (which series get seasonal naive instead of the
     * LSTM), or null when the card has none.
     */
    public SeriesGuard guard() {
        return SeriesGuard.fromCard(card);
    }

    /**
     * What the guard was decided on, for a model trained in this process: per scored series, the mean absolute
     * error of the LSTM's median and of seasonal naive on its validation buckets ({lstm, seasonal naive}). Empty
     * for a loaded model (the card keeps only the decision).
     */
    public Map<String, double[]> guardScores() {
        return guardScores;
    }

    void guardScores(Map<String, double[]> scores) {
        this.guardScores = Map.copyOf(scores);
    }

    @Override
    public io.demandcast.model.Forecaster guarded(double[] quantiles) {
        SeriesGuard guard = guard();
        return guard == null ? null : guard.forecaster(this, quantiles);
    }

    /** The encoder that builds this model's inputs (the same for training, backtests and streaming). */
    public FeatureEncoder encoder() {
        return encoder;
    }

    public int inferenceBatchSize() {
        return inferenceBatchSize;
    }

    /** Records scores on held-out buckets (from a backtest); the next {@link #export} writes them in the card. */
    public void recordHoldoutMetrics(Map<String, Double> metrics) {
        lock.writeLock().lock();
        try {
            card = card.withHoldoutMetrics(metrics);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Forecasts every history from its end, in session runs of {@code inferenceBatchSize} series. Values are in
     * natural units, ascending per step and never negative; callers still check {@link QuantileForecast#isFinite()}.
     */
    @Override
    public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
        checkHorizon(horizon);
        List<QuantileForecast> out = new ArrayList<>(histories.size());
        lock.readLock().lock();
        try {
            ensureOpen();
            String version = card.version();
            for (int from = 0; from < histories.size(); from += inferenceBatchSize) {
                List<SeriesHistory> chunk = histories.subList(from, Math.min(histories.size(),
                        from + inferenceBatchSize));
                EncodedBatch batch = encoder.encode(chunk);
                out.addAll(encoder.decode(batch, run(batch), levels, horizon, METHOD, version));
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    /**
     * The forecasts of {@link #forecast}, as the session's output arrays themselves ({@link ForecastBlock}): no
     * per-series objects. Rows are in natural units, ascending per step and never negative; callers still check
     * {@link ForecastBlock#isFinite}.
     */
    @Override
    public ForecastBlock forecastBlock(List<SeriesHistory> histories, int horizon) {
        checkHorizon(horizon);
        List<float[]> outputs = new ArrayList<>();
        List<String> series = new ArrayList<>(histories.size());
        lock.readLock().lock();
        try {
            ensureOpen();
            float[][] buffers = inputBuffers();
            try {
                for (int from = 0; from < histories.size(); from += inferenceBatchSize) {
                    List<SeriesHistory> chunk = histories.subList(from, Math.min(histories.size(),
                            from + inferenceBatchSize));
                    encoder.encodeInto(chunk, buffers[0], buffers[1]);
                    outputs.add(run(chunk.size(), buffers[0], buffers[1]));
                    for (SeriesHistory h : chunk) {
                        series.add(h.series());
                    }
                }
            } finally {
                spareInputs.offer(buffers);
            }
        } finally {
            lock.readLock().unlock();
        }
        return new OutputBlock(outputs, inferenceBatchSize, encoder.horizon(), horizon, levels, series);
    }

    /**
     * Session outputs [rows, H, Q] of consecutive chunks of {@code chunk} rows, read as one block. A close's part is
     * usually one chunk: its values are then read without the division and list lookup that find a row's chunk.
     */
    private static final class OutputBlock implements ForecastBlock {
        private final List<float[]> outputs;
        /** The only chunk, or null when there are several. */
        private final float[] only;
        private final int chunk;
        private final int modelHorizon;
        private final int horizon;
        private final double[] levels;
        private final List<String> rows;

        OutputBlock(List<float[]> outputs, int chunk, int modelHorizon, int horizon, double[] levels,
                    List<String> rows) {
            this.outputs = outputs;
            this.only = outputs.size() == 1 ? outputs.get(0) : null;
            this.chunk = chunk;
            this.modelHorizon = modelHorizon;
            this.horizon = horizon;
            this.levels = levels;
            this.rows = rows;
        }

        @Override
        public int size() {
            return rows.size();
        }

        @Override
        public String series(int i) {
            return rows.get(i);
        }

        @Override
        public int horizon(int i) {
            return horizon;
        }

        @Override
        public double[] levels(int i) {
            return levels;
        }

        @Override
        public double value(int i, int step, int level) {
            if (only != null) {
                return only[(i * modelHorizon + step) * levels.length + level];
            }
            return outputs.get(i / chunk)[((i % chunk) * modelHorizon + step) * levels.length + level];
        }
    }

    private void checkHorizon(int horizon) {
        if (horizon < 1 || horizon > encoder.horizon()) {
            throw new IllegalArgumentException("horizon must be in 1.." + encoder.horizon() + " for model "
                    + version() + "; got " + horizon);
        }
    }

    /**
     * Input arrays for one caller's batches of {@code inferenceBatchSize} series, from the spares or new: each
     * concurrent caller takes its own, and gives it back when its forecast call ends (so the spares number the most
     * callers ever at once).
     */
    private float[][] inputBuffers() {
        float[][] spare = spareInputs.poll();
        return spare != null ? spare : new float[][] {new float[encoder.pastLength(inferenceBatchSize)],
                new float[encoder.futureLength(inferenceBatchSize)]};
    }

    /** Raw model outputs for an encoded batch: quantiles [size, H, Q], row-major, natural units. */
    public float[] predict(EncodedBatch batch) {
        lock.readLock().lock();
        try {
            ensureOpen();
            return run(batch);
        } finally {
            lock.readLock().unlock();
        }
    }

    private float[] run(EncodedBatch batch) {
        return run(batch.size(), batch.past(), batch.future());
    }

    /** Model outputs for the first {@code size} rows of encoded inputs (see {@link FeatureEncoder#encodeInto}). */
    private float[] run(int size, float[] pastRows, float[] futureRows) {
        if (size == 0) {
            return new float[0];
        }
        try (TFloat32 past = tensor(pastRows, size, encoder.lookback(), encoder.pastWidth());
             TFloat32 future = tensor(futureRows, size, encoder.horizon(), encoder.futureWidth());
             Result result = session.runner().feed(pastName, past).feed(futureName, future)
                     .fetch(quantilesName).run()) {
            return floats(result);
        }
    }

    /** One optimiser step on an encoded training batch; returns its pinball loss (before the step). */
    float trainStep(EncodedBatch batch) {
        try (TFloat32 past = tensor(batch.past(), batch.size(), batch.lookback(), batch.pastWidth());
             TFloat32 future = tensor(batch.future(), batch.size(), batch.horizon(), batch.futureWidth());
             TFloat32 targets = tensor(batch.targets(), batch.size(), batch.horizon());
             Result result = session.runner().feed(pastName, past).feed(futureName, future)
                     .feed(targetsName, targets).fetch(trainLossName).run()) {
            return ((TFloat32) result.get(0)).getFloat();
        }
    }

    /**
     * Fine-tunes on every full window (L-padded lookback, H targets) of {@code histories} through the
     * {@code train_step} signature, {@code epochs} passes in a seeded order, and makes this a new version whose
     * parent is the old one; {@link #export} then writes the updated variables. Returns the mean loss of the last
     * pass.
     */
    public double fineTune(List<SeriesHistory> histories, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1; got " + epochs);
        }
        TrainingWindows windows = new TrainingWindows(histories, encoder.horizon(), 0);
        if (windows.trainingCount() == 0) {
            throw new IllegalArgumentException("no window to fine-tune on: every one of " + histories.size()
                    + " histories is shorter than horizon + 1 = " + (encoder.horizon() + 1) + " buckets");
        }
        int batchSize = intSetting("batchSize", 128);
        Random random = new Random(intSetting("seed", 42) ^ card.version().hashCode());
        lock.writeLock().lock();
        try {
            ensureOpen();
            double last = Double.NaN;
            for (int e = 0; e < epochs; e++) {
                last = Epochs.train(this::trainStep, encoder, histories, windows.epoch(random, 0), batchSize);
            }
            Instant from = histories.stream().map(SeriesHistory::start).min(Instant::compareTo).orElseThrow();
            Instant to = histories.stream().map(SeriesHistory::end).max(Instant::compareTo).orElseThrow();
            Instant now = Instant.now();
            card = card.successor(newVersion(now), now, from, to, histories.size());
            return last;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private int intSetting(String key, int fallback) {
        Object v = card.trainer().get(key);
        return v instanceof Number n ? n.intValue() : fallback;
    }

    /** Writes the SavedModel (both signatures, current variables) and its model card into {@code dir}. */
    @Override
    public void export(Path dir) throws IOException {
        lock.writeLock().lock();
        try {
            ensureOpen();
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve("saved_model.pb"))) {
                throw new IOException("will not overwrite the SavedModel in " + dir);
            }
            SavedModelBundle.exporter(dir.toString()).withSession(session)
                    .withSignatures(signatures.toArray(new Signature[0])).export();
            card.write(dir);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                owner.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("closing model " + card.version() + " failed", e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("model " + card.version() + " is closed");
        }
    }

    Graph graph() {
        return graph;
    }

    Session session() {
        return session;
    }

    /** A tensor of {@code shape} holding the first values of {@code data} (all of them, for an exact array). */
    static TFloat32 tensor(float[] data, long... shape) {
        Shape s = Shape.of(shape);
        return TFloat32.tensorOf(s, DataBuffers.of(data, true, false).narrow(s.size()));
    }

    static float[] floats(Result result) {
        return floats(result, 0);
    }

    /** The {@code index}th fetched tensor's values, flat. */
    static float[] floats(Result result, int index) {
        TFloat32 t = (TFloat32) result.get(index);
        float[] out = new float[Math.toIntExact(t.shape().size())];
        t.asRawTensor().data().asFloats().read(out);
        return out;
    }

    @Override
    public String toString() {
        return "LstmModel[" + card.version() + ", levels=" + Arrays.toString(levels) + ", " + encoder + "]";
    }
}
