package io.demandcast.model.encode;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one place that turns series histories into model inputs and model outputs into forecasts. Training,
 * offline backtests, streaming and replays all use it, so a model sees the same features everywhere.
 *
 * <p>Past features, per lookback bucket: {@code units} (raw), {@code observed} (1 for a real bucket, 0 for left
 * padding), the calendar of the bucket (see {@link #pastFeatures()}), then one column per covariate
 * ({@code cov:<name>}, raw). Future features, per horizon bucket: the calendar, then the covariates. Covariates
 * are known for the future by contract; a covariate that ends early is carried forward from its last value, a
 * missing one (or NaN) takes {@link CovariateScaling#missingValue()}.
 *
 * <p>Nothing is scaled here: units and covariates go to the graph in natural units and the graph scales them per
 * window (units by their mean over the observed lookback, covariates by {@link CovariateScaling}).
 *
 * <p>Immutable and thread-safe.
 */
public final class FeatureEncoder {

    /** Column of the raw units in the past features. */
    public static final int UNITS = 0;
    /** Column of the observed mask in the past features. */
    public static final int OBSERVED = 1;

    private final Bucket bucket;
    private final int lookback;
    private final int horizon;
    private final List<Covariate> covariates;
    private final int calendarWidth;
    private final List<String> pastFeatures;
    private final List<String> futureFeatures;

    public FeatureEncoder(Bucket bucket, int lookback, int horizon, List<Covariate> covariates) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        if (lookback < 1) {
            throw new IllegalArgumentException("lookback must be at least 1; got " + lookback);
        }
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon must be at least 1; got " + horizon);
        }
        this.lookback = lookback;
        this.horizon = horizon;
        this.covariates = List.copyOf(covariates);
        long distinct = this.covariates.stream().map(Covariate::name).distinct().count();
        if (distinct != this.covariates.size()) {
            throw new IllegalArgumentException("covariate names must be distinct; got " + this.covariates);
        }
        this.calendarWidth = Calendar.width(bucket);
        List<String> calendar = Calendar.names(bucket);
        List<String> past = new ArrayList<>();
        past.add("units");
        past.add("observed");
        past.addAll(calendar);
        List<String> future = new ArrayList<>(calendar);
        for (Covariate c : this.covariates) {
            past.add(c.featureName());
            future.add(c.featureName());
        }
        this.pastFeatures = Collections.unmodifiableList(past);
        this.futureFeatures = Collections.unmodifiableList(future);
    }

    /**
     * An encoder for the covariates found in {@code histories} (in order of first appearance), each scaled as
     * {@link CovariateScaling#infer} decides from all their values.
     */
    public static FeatureEncoder forHistories(Bucket bucket, int lookback, int horizon, List<SeriesHistory> histories) {
        Map<String, List<double[]>> values = new LinkedHashMap<>();
        for (SeriesHistory h : histories) {
            if (h.bucket() != bucket) {
                throw new IllegalArgumentException("series " + h.series() + " has " + h.bucket().label()
                        + " buckets, expected " + bucket.label());
            }
            h.covariates().forEach((name, v) -> values.computeIfAbsent(name, k -> new ArrayList<>()).add(v));
        }
        List<Covariate> covariates = new ArrayList<>();
        values.forEach((name, v) -> covariates.add(new Covariate(name, CovariateScaling.infer(v))));
        return new FeatureEncoder(bucket, lookback, horizon, covariates);
    }

    public Bucket bucket() {
        return bucket;
    }

    public int lookback() {
        return lookback;
    }

    public int horizon() {
        return horizon;
    }

    public List<Covariate> covariates() {
        return covariates;
    }

    /** Ordered names of the past feature columns: units, observed, calendar..., cov:name... */
    public List<String> pastFeatures() {
        return pastFeatures;
    }

    /** Ordered names of the future feature columns: calendar..., cov:name... */
    public List<String> futureFeatures() {
        return futureFeatures;
    }

    public int pastWidth() {
        return pastFeatures.size();
    }

    public int futureWidth() {
        return futureFeatures.size();
    }

    /** Column of the first covariate in the past features (the others follow in order). */
    public int firstPastCovariate() {
        return 2 + calendarWidth;
    }

    /** Column of the first covariate in the future features. */
    public int firstFutureCovariate() {
        return calendarWidth;
    }

    /** Inputs to forecast each history from its end: the last L buckets and the H buckets after them. */
    public EncodedBatch encode(List<SeriesHistory> histories) {
        int[] origins = new int[histories.size()];
        for (int i = 0; i < origins.length; i++) {
            origins[i] = histories.get(i).length();
        }
        return encode(histories, origins, null, false);
    }

    /**
     * Writes the inputs to forecast each history from its end into the first rows of {@code past} [rows, L, pastWidth]
     * and {@code future} [rows, H, futureWidth], which must hold at least {@link #pastLength} and {@link
     * #futureLength} of the batch; the rest of the arrays is left as it was. A caller serving batch after batch
     * reuses its arrays (and makes tensors of their first rows): at 1,024 daily series each is over a megabyte,
     * which G1 allocates as a humongous object outside the young generation, and in the forecast cycle of 100,000
     * series even batches of 256 made a sixth of the close's garbage.
     */
    public void encodeInto(List<SeriesHistory> histories, float[] past, float[] future) {
        int size = histories.size();
        if (past.length < pastLength(size) || future.length < futureLength(size)) {
            throw new IllegalArgumentException("arrays of " + past.length + " and " + future.length
                    + " floats cannot hold " + size + " series: they need " + pastLength(size) + " and "
                    + futureLength(size));
        }
        int[] origins = new int[size];
        for (int i = 0; i < size; i++) {
            origins[i] = histories.get(i).length();
        }
        write(histories, origins, null, false, past, future, null, true, null, null);
    }

    /** Floats of the {@code past} array of a batch of {@code size} series. */
    public int pastLength(int size) {
        return size * lookback * pastWidth();
    }

    /** Floats of the {@code future} array of a batch of {@code size} series. */
    public int futureLength(int size) {
        return size * horizon * futureWidth();
    }

    /**
     * Training windows: row i forecasts {@code histories.get(i)} from bucket index {@code origins[i]} (lookback
     * before it, targets from it on), so {@code origins[i] + horizon} must not pass the history's end.
     */
    public EncodedBatch encodeWindows(List<SeriesHistory> histories, int[] origins) {
        return encode(histories, origins, null, true);
    }

    /**
     * Training windows whose future may be only partly observed: row i's targets are the buckets from
     * {@code origins[i]} up to {@code targetEnds[i]} (exclusive; {@code origins[i] <= targetEnds[i] <= } the
     * history's length), and NaN after it, a target the model's loss skips. The windows nearest the end of the
     * data, which hold its most recent dynamics, then train on the buckets they have.
     */
    public EncodedBatch encodeWindows(List<SeriesHistory> histories, int[] origins, int[] targetEnds) {
        if (targetEnds.length != histories.size()) {
            throw new IllegalArgumentException(histories.size() + " histories but " + targetEnds.length
                    + " target ends");
        }
        return encode(histories, origins, targetEnds, true);
    }

    private EncodedBatch encode(List<SeriesHistory> histories, int[] origins, int[] targetEnds,
                                boolean withTargets) {
        int size = histories.size();
        if (origins.length != size) {
            throw new IllegalArgumentException(size + " histories but " + origins.length + " origins");
        }
        float[] past = new float[pastLength(size)];
        float[] future = new float[futureLength(size)];
        float[] targets = withTargets ? new float[size * horizon] : null;
        List<String> series = new ArrayList<>(size);
        List<Instant> firsts = new ArrayList<>(size);
        write(histories, origins, targetEnds, withTargets, past, future, targets, false, series, firsts);
        return new EncodedBatch(size, lookback, horizon, pastWidth(), futureWidth(), past, future, targets,
                Collections.unmodifiableList(series), Collections.unmodifiableList(firsts));
    }

    /**
     * Writes row i of each array for window i. Every cell of a row is written but the lookback rows before a short
     * history's start, which are cleared only when {@code clearPadding} (arrays reused from another batch). Series
     * and first buckets are added to the lists when they are given; {@code targetEnds} (null: origin + horizon)
     * bounds each row's observed targets (see {@link #encodeWindows(List, int[], int[])}).
     */
    private void write(List<SeriesHistory> histories, int[] origins, int[] targetEnds, boolean withTargets,
                       float[] past, float[] future, float[] targets, boolean clearPadding, List<String> series,
                       List<Instant> firsts) {
        int size = histories.size();
        int pw = pastWidth();
        int fw = futureWidth();
        // Calendar rows depend only on the window's first forecast bucket, which most rows of a batch share.
        Map<Instant, float[]> calendarBlocks = new HashMap<>();
        int covCount = covariates.size();
        double[][] cov = new double[covCount][];
        double[] missing = new double[covCount];
        for (int i = 0; i < size; i++) {
            SeriesHistory h = histories.get(i);
            if (h.bucket() != bucket) {
                throw new IllegalArgumentException("series " + h.series() + " has " + h.bucket().label()
                        + " buckets, this encoder expects " + bucket.label());
            }
            int origin = origins[i];
            int n = h.length();
            int targetEnd = targetEnds == null ? origin + horizon : targetEnds[i];
            if (origin < 0 || origin > n || (withTargets && (targetEnd > n || targetEnd < origin))) {
                throw new IllegalArgumentException("series " + h.series() + ": window origin " + origin
                        + (targetEnds == null ? "" : " with targets up to " + targetEnd)
                        + " does not fit a history of " + n + " buckets" + (withTargets ? " with horizon "
                        + horizon : ""));
            }
            Instant first = h.bucketStart(origin);
            if (series != null) {
                series.add(h.series());
                firsts.add(first);
            }
            float[] calendar = calendarBlocks.computeIfAbsent(first, this::calendarBlock);
            for (int c = 0; c < covCount; c++) {
                cov[c] = h.covariates().get(covariates.get(c).name());
                missing[c] = covariates.get(c).scaling().missingValue();
            }
            double[] units = h.units();
            int pastBase = i * lookback * pw;
            if (clearPadding && origin < lookback) {
                Arrays.fill(past, pastBase, pastBase + (lookback - origin) * pw, 0f);
            }
            for (int r = Math.max(0, lookback - origin); r < lookback; r++) {
                int t = origin - lookback + r;
                int at = pastBase + r * pw;
                past[at + UNITS] = (float) units[t];
                past[at + OBSERVED] = 1f;
                System.arraycopy(calendar, r * calendarWidth, past, at + 2, calendarWidth);
                for (int c = 0; c < covCount; c++) {
                    past[at + 2 + calendarWidth + c] = (float) covariateAt(cov[c], t, missing[c]);
                }
            }
            int futureBase = i * horizon * fw;
            for (int s = 0; s < horizon; s++) {
                int t = origin + s;
                int at = futureBase + s * fw;
                System.arraycopy(calendar, (lookback + s) * calendarWidth, future, at, calendarWidth);
                for (int c = 0; c < covCount; c++) {
                    future[at + calendarWidth + c] = (float) covariateAt(cov[c], t, missing[c]);
                }
                if (withTargets) {
                    targets[i * horizon + s] = t < targetEnd ? (float) units[t] : Float.NaN;
                }
            }
        }
    }

    /** Value of a covariate at bucket {@code t}: carried forward past its end, NaN or absent as missing. */
    private static double covariateAt(double[] values, int t, double missing) {
        if (values == null || values.length == 0) {
            return missing;
        }
        double v = values[Math.min(t, values.length - 1)];
        return Double.isNaN(v) ? missing : v;
    }

    /** Calendar rows of the L + H buckets of a window whose first forecast bucket starts at {@code first}. */
    private float[] calendarBlock(Instant first) {
        float[] block = new float[(lookback + horizon) * calendarWidth];
        for (int r = 0; r < lookback + horizon; r++) {
            Calendar.write(bucket, bucket.plus(first, r - lookback), block, r * calendarWidth);
        }
        return block;
    }

    /**
     * Forecasts from model outputs {@code quantiles} [batch.size, H, Q] (row-major, natural units): one per row,
     * truncated to {@code horizon} steps. Values are copied as they are; callers check {@link
     * QuantileForecast#isFinite()}.
     */
    public List<QuantileForecast> decode(EncodedBatch batch, float[] quantiles, double[] levels, int horizon,
                                         String method, String modelVersion) {
        int q = levels.length;
        if (quantiles.length != batch.size() * this.horizon * q) {
            throw new IllegalArgumentException("model output has " + quantiles.length + " values, expected "
                    + batch.size() + "x" + this.horizon + "x" + q);
        }
        if (horizon < 1 || horizon > this.horizon) {
            throw new IllegalArgumentException("horizon must be in 1.." + this.horizon + "; got " + horizon);
        }
        List<QuantileForecast> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            double[][] values = new double[horizon][q];
            for (int s = 0; s < horizon; s++) {
                int at = (i * this.horizon + s) * q;
                for (int k = 0; k < q; k++) {
                    values[s][k] = quantiles[at + k];
                }
            }
            out.add(new QuantileForecast(batch.series().get(i), batch.firstBuckets().get(i), levels.clone(), values,
                    method, modelVersion));
        }
        return out;
    }

    @Override
    public String toString() {
        return "FeatureEncoder[" + bucket.label() + ", L=" + lookback + ", H=" + horizon + ", past=" + pastFeatures
                + ", future=" + futureFeatures + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureEncoder e && e.bucket == bucket && e.lookback == lookback && e.horizon == horizon
                && e.covariates.equals(covariates);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {bucket, lookback, horizon, covariates});
    }
}
