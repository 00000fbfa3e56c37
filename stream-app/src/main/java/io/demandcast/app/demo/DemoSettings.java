package io.demandcast.app.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * What one demo run does, apart from where Kafka and the registry are (the app's {@code AppConfig}).
 *
 * @param data            the Online Retail order-lines file
 * @param zone            time zone of its invoice times
 * @param trainFrom       first day trained on (UTC day); null: the file's first
 * @param split           the first day the model never saw: training ends before it, scoring starts at it
 * @param until           the first day not scored (the replay reads on to the orders that close the day before);
 *                        null: score up to the last day the file's orders close
 * @param warmupDays      days before {@code split} replayed too, so that the app's histories hold a model's lookback
 *                        when the scored forecasts start (the replay's app starts with empty state); null: the
 *                        model's lookback
 * @param products        the products trained on and scored: those selling on most days before the split
 * @param horizon         buckets each forecast covers (the app's {@code horizon} and the model's)
 * @param model           how the model is made
 * @param outDir          where the report, its plots and (when trained) the model go
 * @param plottedProducts how many of the top products get a plot in the report
 * @param timeout         the longest the replay may take before it stops waiting and the demo reports what came
 */
public record DemoSettings(Path data, ZoneId zone, LocalDate trainFrom, LocalDate split, LocalDate until,
                           Integer warmupDays, int products, int horizon, Training model, Path outDir,
                           int plottedProducts, Duration timeout) {

    /**
     * How the model is made: trained here with these sizes, or taken from {@code modelDir} (a model exported by
     * {@code train} or an earlier demo) when it is not null.
     *
     * @param epochs              the most epochs (early stopping with {@code patience} may end sooner)
     * @param windowsPerSeries    training windows drawn per product and epoch: bounds the epoch's time
     * @param hiddenUnits         width of the LSTM layer
     * @param lookback            buckets of history the network reads
     */
    public record Training(Path modelDir, int epochs, int patience, int windowsPerSeries, int hiddenUnits,
                           int lookback, long seed) {
        public Training {
            if (modelDir == null) {
                positive("epochs", epochs);
                positive("patience", patience);
                positive("windows per series", windowsPerSeries);
                positive("hidden units", hiddenUnits);
                positive("lookback", lookback);
            }
        }

        public Training withModelDir(Path dir) {
            return new Training(dir, epochs, patience, windowsPerSeries, hiddenUnits, lookback, seed);
        }
    }

    public DemoSettings {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(timeout, "timeout");
        if (trainFrom != null && !trainFrom.isBefore(split)) {
            throw new IllegalArgumentException("the training start " + trainFrom + " must be before the split "
                    + split + " (--train-from, --split)");
        }
        if (until != null && !split.isBefore(until)) {
            throw new IllegalArgumentException("the split " + split + " must be before the replay's end " + until
                    + " (--split, --until)");
        }
        if (warmupDays != null && warmupDays < 0) {
            throw new IllegalArgumentException("warm-up days must be >= 0; got " + warmupDays);
        }
        positive("--products", products);
        positive("--horizon", horizon);
        if (plottedProducts < 0) {
            throw new IllegalArgumentException("plotted products must be >= 0; got " + plottedProducts);
        }
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1; got " + value);
        }
    }
}
