package io.demandcast.model.lstm;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the LSTM: its shape, its training and its serving. {@link #defaults(Bucket)} gives sizes chosen to
 * train a year of daily data for 100 series in well under 3 minutes and to serve over 100,000 series a second on
 * 2 cores; the {@code with...} methods change one field and validate again.
 *
 * @param bucket the series' bucket (it picks the calendar features)
 * @param lookback L, buckets of history the network reads (shorter histories are left-padded)
 * @param horizon H, buckets forecast at once
 * @param quantiles ascending levels in (0, 1), forecast for every step
 * @param layers stacked LSTM layers
 * @param hiddenUnits width of each LSTM layer
 * @param headUnits width of the per-horizon-step layer of the output head
 * @param epochs the most passes over the training windows (early stopping may end sooner)
 * @param batchSize training windows per optimiser step
 * @param learningRate Adam's learning rate
 * @param patience epochs without a better validation loss before training stops (the best weights are kept)
 * @param seed seeds weight initialisation and window shuffling; TensorFlow's CPU execution is not deterministic
 *             here, so two trainings with the same seed can still differ (by up to a few percent, measured)
 * @param validationBuckets the last buckets of each series held out by time for early stopping (0: none, then
 *                          training runs all epochs)
 * @param scaleFloor the least per-window scale: windows whose mean units are below it are not scaled up, so a
 *                   series of zeros or of rare single sales stays in units
 * @param inferenceBatchSize series per session run when forecasting
 * @param maxWindowsPerSeries training windows drawn per series and epoch (0: all); bounds epoch time on long
 *                            histories
 * @param threads TensorFlow intra-op threads (0: TensorFlow's default, one per core)
 * @param members networks of the ensemble, each trained alone, one after another, on the whole lookback with
 *                its own seed (initial weights and window order; the first member's is {@code seed}), its own
 *                early stopping and its own refit, then assembled as one graph that serves the mean of their
 *                quantiles in the same session run and whose band is fitted on that mean; {@code train_step}
 *                fine-tunes every member. Default 3 for week and month buckets, 1 for day and hour: on M3 monthly
 *                three members scored 0.866 and 0.878 (seed 42 twice; its three networks alone 0.912, 0.890 and
 *                0.886) and 0.887 (seed 7; alone 0.913), and five separately trained networks averaged 0.904 alone,
 *                0.879 in threes; but training and inference cost grow k-fold (M3's backtest took 9 to 11.5
 *                minutes on 2 cores with three), and
 *                the daily model must keep serving about 100,000 series a second on 2 cores, while week and month
 *                models forecast a few times a month.
 *                Members trained jointly in one graph (the same batches in the same order) did not help (0.896
 *                against 0.887 for one network; members on shorter lookbacks 0.921). BENCHMARKS.md, history
 * @param residual whether the head forecasts a correction to an anchor (the last season's value of the same phase
 *                 mixed with the last season's mean) instead of the quantiles from nothing
 * @param refit whether, after early stopping, training goes on for as many epochs on every window, the validation
 *              buckets included. Default on for week and month buckets, off for day and hour: on M3 monthly it
 *              moved mean MASE from 0.942 to 0.896, while on the streamed daily demo (100 products, 3 months) it
 *              moved P50 MASE from 0.834 to 0.909 and P10-P90 coverage from 0.762 to 0.502 (the band, fitted
 *              before the refit, no longer fits after it on fast-moving daily demand). BENCHMARKS.md.
 * @param maseWeighted whether each training window's pinball loss (on mean-scaled units) is weighted by the
 *                     window's mean over its mean absolute seasonal difference, so that training weighs series
 *                     as MASE does: a smooth series far above its bucket-to-bucket change counts more. Default
 *                     off for every bucket: with the unfused LSTM cell it moved M3 monthly's mean MASE from 0.896
 *                     to 0.887 (seed 42; 0.893 with seed 7), but with the fused kernel it gave 0.925 against the
 *                     plain loss's 0.912, and on top100 daily it was within seed noise and a little worse on
 *                     average (1.139 and 1.215 against 1.148 and 1.179 for seeds 42 and 7): a daily window's
 *                     seasonal change is mostly noise of intermittent demand, not a stable scale. BENCHMARKS.md,
 *                     history.
 * @param trendSkip whether each member adds a gated damped-trend path to its median: from the scaled window, the
 *                  level at its end and the slope between the means of its last two blocks of one season (at most
 *                  half the lookback; time-centred by the observed buckets, so a short history still gets one),
 *                  extrapolated with a damping phi in (0.8, 1) and plus the window's seasonal index of the same
 *                  phase (each bucket's deviation from the centred moving average of one season around it,
 *                  averaged per phase over the whole window); the level then follows the latest buckets by
 *                  exponential smoothing of what line and index leave on them, with a learned alpha in (0, 1).
 *                  The median is the head's unbounded output plus g x that path, with g, phi and alpha
 *                  learned per window from the last hidden state, so the network can switch the path off for a
 *                  noisy series. The other quantiles step away from the median by softplus gaps. Default on
 *                  for month buckets only: on M3 monthly one network scored mean MASE 0.876 and 0.877 with it
 *                  (seeds 42 and 7) against 0.912 and 0.913 without (FINANCE 1.10-1.18 against 1.20), and the
 *                  mean of those two 0.864 against 0.894; three members scored 0.880 and 0.866 (seeds 42 and 7)
 *                  against 0.866/0.878 and 0.887 without: a smaller gain, within the run-to-run spread. On top100
 *                  daily it cost accuracy (1.333 and 1.232 against 1.157 and 1.126 for seeds 42 and 7), so day
 *                  and hour keep it off; week is unmeasured (no weekly set long enough) and off. BENCHMARKS.md,
 *                  history.
 * @param partialWindows whether training also uses windows whose future is only partly observed (at least half
 *                       the horizon), the targets past the data's end (or the validation split) skipped by the
 *                       loss: the windows nearest the end, with the most recent dynamics, then train too.
 *                       Default off: on M3 monthly (one network with the trend skip, seed 42) it gave mean MASE
 *                       0.877 against 0.876 without, for about a tenth more windows per epoch. BENCHMARKS.md,
 *                       history.
 * @param plainMembers with the trend skip on, how many of the ensemble's members (the last ones) are built without
 *                     it; the first member always keeps it (see {@link #trendSkip(int)}). Default 1 for month
 *                     buckets (one of three), 0 elsewhere: members with the path err alike (all of them damp the
 *                     same trends), a member without it errs differently, and the mean of unlike members gains
 *                     more. On M3 monthly three members, the last plain, scored 0.866 and 0.855 (seeds 42 and 7)
 *                     against 0.880 and 0.866 with the path in all three and 0.866-0.887 with it in none.
 *                     BENCHMARKS.md, history.
 * @param recurrentLookback how many of the window's last buckets the network unrolls (0: the whole {@link
 *                          #lookback}); the trend path always reads the whole window. Default 24 for month buckets
 *                          (of a 72-bucket window), 0 elsewhere: the path's seasonal index then averages up to six
 *                          seasons while the recurrence, and so training and serving, costs what a 24-bucket window
 *                          did. On M3 monthly (three members, one plain) this took mean MASE from 0.860 and 0.865
 *                          to 0.853 and 0.862 (seeds 42 and 7), median 0.711 to 0.70. BENCHMARKS.md, history.
 * @param heldSeason whether, for a window observed whole (all L buckets), every member reads its units with the
 *                   window's seasonal index taken out and adds the index of each horizon step's phase back to its
 *                   median, ungated (ES-RNN-like seasonal normalisation inside the graph): the index is the trend
 *                   path's (classical decomposition over the whole window), so the network, which unrolls only the
 *                   window's end, forecasts the deseasonalised series and the season is held at every step, in
 *                   every member; the trend path then gates only level and damped slope. A window with padding
 *                   (a history shorter than L) keeps the index inside the gated path, as without the setting.
 *                   Off in the defaults; the commands' trainer turns it on for long monthly histories
 *                   ({@link #fittedTo}): on tourism_monthly (276 series of 246-315 training months) it lowered
 *                   mean MASE on both seeds measured, while on M3 monthly (histories of 48-126 months, mostly
 *                   padded windows) it cost 0.003 to 0.006. BENCHMARKS.md.
 */
public record LstmConfig(Bucket bucket, int lookback, int horizon, double[] quantiles, int layers, int hiddenUnits,
                         int headUnits, int epochs, int batchSize, double learningRate, int patience, long seed,
                         int validationBuckets, double scaleFloor, int inferenceBatchSize, int maxWindowsPerSeries,
                         int threads, int members, boolean residual, boolean refit,
                         boolean maseWeighted, boolean trendSkip, boolean partialWindows,
                         int plainMembers, int recurrentLookback, boolean heldSeason) {

    public static final double[] DEFAULT_QUANTILES = {0.1, 0.5, 0.9};
    /** How many lookback windows of history most series need before {@link #fittedTo} holds their season. */
    public static final int HELD_SEASON_LOOKBACKS = 2;

    public LstmConfig {
        Objects.requireNonNull(bucket, "bucket must be set");
        Objects.requireNonNull(quantiles, "quantiles must be set");
        quantiles = quantiles.clone();
        positive("lookback", lookback);
        positive("horizon", horizon);
        if (quantiles.length == 0) {
            throw new IllegalArgumentException("quantiles must not be empty");
        }
        for (int q = 0; q < quantiles.length; q++) {
            if (!(quantiles[q] > 0 && quantiles[q] < 1)) {
                throw new IllegalArgumentException("quantiles must lie in (0, 1); got " + quantiles[q] + " in "
                        + Arrays.toString(quantiles));
            }
            if (q > 0 && quantiles[q] <= quantiles[q - 1]) {
                throw new IllegalArgumentException("quantiles must be strictly ascending; got "
                        + Arrays.toString(quantiles));
            }
        }
        positive("layers", layers);
        positive("hiddenUnits", hiddenUnits);
        positive("headUnits", headUnits);
        positive("epochs", epochs);
        positive("batchSize", batchSize);
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new IllegalArgumentException("learningRate must be in (0, 1); got " + learningRate);
        }
        positive("patience", patience);
        notNegative("validationBuckets", validationBuckets);
        if (validationBuckets > 0 && validationBuckets < horizon) {
            throw new IllegalArgumentException("validationBuckets must be 0 or at least horizon (" + horizon
                    + ") so that a whole validation window fits; got " + validationBuckets);
        }
        if (!(scaleFloor > 0) || !Double.isFinite(scaleFloor)) {
            throw new IllegalArgumentException("scaleFloor must be a positive number; got " + scaleFloor);
        }
        positive("inferenceBatchSize", inferenceBatchSize);
        notNegative("maxWindowsPerSeries", maxWindowsPerSeries);
        notNegative("threads", threads);
        positive("members", members);
        notNegative("plainMembers", plainMembers);
        notNegative("recurrentLookback", recurrentLookback);
    }

    /**
     * Defaults for a bucket: hour L 48 H 24, day L 28 H 28, week L 52 H 13, month L 72 H 18 (the network unrolls
     * the last 24 of the 72, see {@link #recurrentLookback}); one layer of 24 units for hour and day buckets and
     * of 32 for week and month, head 16, quantiles 0.1/0.5/0.9, 40 epochs, batch 128, Adam 0.001, patience 6,
     * seed 42, validation H buckets, scale floor 1, inference batch 1024, all windows, TensorFlow's default
     * threads, one member for day and hour and three for week and month (see {@link #members}), the refit for week
     * and month, the plain (unweighted) pinball loss, the damped-trend skip for month only, in two of its three
     * members (see {@link #trendSkip} and {@link #plainMembers}), whole training futures only.
     * The unrolled L, the width and the members are what inference cost grows with (about members x L x width x (width +
     * inputs)). Hour and day buckets close often and for many series, so their width is 24: on top100 daily it
     * served a third more series per CPU-second than 32 at the same accuracy (mean MASE 1.157 and 1.134 for seeds
     * 42 and 7, against 1.147 and 1.166), while a lookback of 21 instead of 28 cost accuracy (1.232, 1.253). The
     * daily lookback still holds four weekly cycles (the calendar features carry the yearly one). BENCHMARKS.md,
     * history.
     */
    public static LstmConfig defaults(Bucket bucket) {
        return defaults(bucket, defaultHorizon(bucket));
    }

    /**
     * {@link #defaults(Bucket)} for another horizon: the same network, forecasting {@code horizon} buckets, with
     * one horizon of validation buckets, as the bucket's own defaults hold out one of theirs. Any horizon of at
     * least 1 gives a valid configuration for every bucket.
     */
    public static LstmConfig defaults(Bucket bucket, int horizon) {
        Objects.requireNonNull(bucket, "bucket must be set");
        boolean coarse = bucket == Bucket.WEEK || bucket == Bucket.MONTH;
        int lookback = switch (bucket) {
            case HOUR -> 48;
            case DAY -> 28;
            case WEEK -> 52;
            case MONTH -> 72;
        };
        int width = bucket == Bucket.HOUR || bucket == Bucket.DAY ? 24 : 32;
        return new LstmConfig(bucket, lookback, horizon, DEFAULT_QUANTILES, 1, width, 16, 40, 128, 0.001, 6, 42L,
                horizon, 1.0, 1024, 0, 0, coarse ? 3 : 1, false, coarse, false, bucket == Bucket.MONTH, false,
                bucket == Bucket.MONTH ? 1 : 0, bucket == Bucket.MONTH ? 24 : 0, false);
    }

    /** The horizon of {@link #defaults(Bucket)}: hour 24, day 28, week 13, month 18. */
    public static int defaultHorizon(Bucket bucket) {
        return switch (bucket) {
            case HOUR -> 24;
            case DAY -> 28;
            case WEEK -> 13;
            case MONTH -> 18;
        };
    }

    /**
     * Another shape. A validation split shorter than the new horizon grows to the horizon (a validation window
     * needs a whole future, and the split was sized for the old horizon); none stays none.
     */

    public LstmConfig withShape(int lookback, int horizon, int layers, int hiddenUnits, int headUnits) {
        int validation = validationBuckets > 0 ? Math.max(validationBuckets, horizon) : 0;
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validation, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withTraining(int epochs, int batchSize, double learningRate, int patience, long seed,
                                   int validationBuckets) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withQuantiles(double... quantiles) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withServing(int inferenceBatchSize, int threads) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withMaxWindowsPerSeries(int maxWindowsPerSeries) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withScaleFloor(double scaleFloor) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withRefit(boolean refit) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withEnsemble(int members, boolean residual) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withTrendSkip(boolean trendSkip) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withPartialWindows(boolean partialWindows) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withMaseWeighted(boolean maseWeighted) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withPlainMembers(int plainMembers) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withRecurrentLookback(int recurrentLookback) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    public LstmConfig withHeldSeason(boolean heldSeason) {
        return new LstmConfig(bucket, lookback, horizon, quantiles, layers, hiddenUnits, headUnits, epochs,
                batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    /**
     * These settings fitted to the data they train on: for month buckets, the {@link #heldSeason} when at least
     * half the series hold {@value #HELD_SEASON_LOOKBACKS} lookback windows of history. The season is held only in
     * windows observed whole; with histories that long most training windows are, the index of each rests on six
     * whole seasons, and the season then carries to every horizon step instead of fading with the network's memory.
     * On short histories (M3 monthly: 48-126 months before its test year) the windows are mostly padded and the
     * held season cost accuracy, so those keep the defaults unchanged; on long ones (tourism monthly: 246-315
     * months) it gained on both seeds measured. Settings with the held season already on are returned as they are.
     */
    public LstmConfig fittedTo(List<SeriesHistory> histories) {
        if (heldSeason || bucket != Bucket.MONTH || histories.isEmpty()) {
            return this;
        }
        long longEnough = histories.stream().filter(h -> h.length() >= HELD_SEASON_LOOKBACKS * lookback).count();
        return 2 * longEnough >= histories.size() ? withHeldSeason(true) : this;
    }

    /**
     * Whether member {@code member} (0-based) of the ensemble carries the damped-trend skip: with {@link #trendSkip}
     * on, every member but the last {@link #plainMembers} does, and the first always does.
     */
    public boolean trendSkip(int member) {
        return trendSkip && (member == 0 || member < members - plainMembers);
    }

    @Override
    public double[] quantiles() {
        return quantiles.clone();
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be at least 1; got " + value);
        }
    }

    private static void notNegative(String key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must not be negative; got " + value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LstmConfig c && c.bucket == bucket && c.lookback == lookback && c.horizon == horizon
                && Arrays.equals(c.quantiles, quantiles) && c.layers == layers && c.hiddenUnits == hiddenUnits
                && c.headUnits == headUnits && c.epochs == epochs && c.batchSize == batchSize
                && c.learningRate == learningRate && c.patience == patience && c.seed == seed
                && c.validationBuckets == validationBuckets && c.scaleFloor == scaleFloor
                && c.inferenceBatchSize == inferenceBatchSize && c.maxWindowsPerSeries == maxWindowsPerSeries
                && c.threads == threads && c.members == members && c.residual == residual && c.refit == refit
                && c.maseWeighted == maseWeighted && c.trendSkip == trendSkip
                && c.partialWindows == partialWindows && c.plainMembers == plainMembers
                && c.recurrentLookback == recurrentLookback && c.heldSeason == heldSeason;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bucket, lookback, horizon, Arrays.hashCode(quantiles), layers, hiddenUnits, headUnits,
                epochs, batchSize, learningRate, patience, seed, validationBuckets, scaleFloor, inferenceBatchSize,
                maxWindowsPerSeries, threads, members, residual, refit, maseWeighted, trendSkip, partialWindows,
                plainMembers, recurrentLookback, heldSeason);
    }

    @Override
    public String toString() {
        return "LstmConfig[bucket=" + bucket.label() + ", lookback=" + lookback + ", horizon=" + horizon
                + ", quantiles=" + Arrays.toString(quantiles) + ", layers=" + layers + ", hiddenUnits="
                + hiddenUnits + ", headUnits=" + headUnits + ", epochs=" + epochs + ", batchSize=" + batchSize
                + ", learningRate=" + learningRate + ", patience=" + patience + ", seed=" + seed
                + ", validationBuckets=" + validationBuckets + ", scaleFloor=" + scaleFloor
                + ", inferenceBatchSize=" + inferenceBatchSize + ", maxWindowsPerSeries=" + maxWindowsPerSeries
                + ", threads=" + threads + ", members=" + members + ", residual=" + residual + ", refit=" + refit
                + ", maseWeighted=" + maseWeighted + ", trendSkip=" + trendSkip + ", partialWindows="
                + partialWindows + ", plainMembers=" + plainMembers + ", recurrentLookback=" + recurrentLookback
                + ", heldSeason=" + heldSeason + "]";
    }
}
