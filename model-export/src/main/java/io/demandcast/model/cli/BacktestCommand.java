package io.demandcast.model.cli;

import io.demandcast.model.Forecaster;
import io.demandcast.model.ModelTrainer;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.backtest.Backtest;
import io.demandcast.model.backtest.BacktestConfig;
import io.demandcast.model.backtest.BacktestReport;
import io.demandcast.model.backtest.BacktestResult;
import io.demandcast.model.baseline.MovingAverage;
import io.demandcast.model.baseline.Naive;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.data.SalesDataException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code backtest}: holds out the last N buckets of every series, trains the model (when one is wired in and
 * asked for) on the rest, forecasts with every method and writes forecasts.csv, series_metrics.csv, metrics.json
 * and report.html into the output directory; prints the metrics table.
 */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = "Backtest the model and the baselines on the last N buckets of every series.")
public final class BacktestCommand implements Callable<Integer> {

    public static final String LSTM = "lstm";
    static final List<String> BASELINES = List.of(SeasonalNaive.METHOD, Naive.METHOD, MovingAverage.METHOD);

    private final TrainerFactory trainers;

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    SeedOption seed = new SeedOption();

    @Option(names = "--holdout", required = true, paramLabel = "N",
            description = "Buckets held out at the end of every series; never trained on.")
    int holdout;

    @Option(names = "--horizon", paramLabel = "H",
            description = "Buckets forecast from each origin (default: the holdout).")
    Integer horizon;

    @Option(names = "--step", paramLabel = "S",
            description = "Buckets between rolling origins when H < N (default: H).")
    Integer step;

    @Option(names = "--methods", split = ",", paramLabel = "M1,M2",
            description = "Methods to run, of lstm, seasonal_naive, naive, moving_average (default: all available;"
                    + " lstm only when a trainer is wired in).")
    List<String> methods;

    @Option(names = "--ma-window", paramLabel = "W", defaultValue = "0",
            description = "Moving average window in buckets (default: one season).")
    int maWindow;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the outputs.")
    Path out;

    /** With the LSTM, the project's model. */
    public BacktestCommand() {
        this(LstmTrainers.factory());
    }

    /** @param trainers makes the trainer of the {@code lstm} method; null when none is available */
    public BacktestCommand(TrainerFactory trainers) {
        this.trainers = trainers;
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        List<String> chosen = chosenMethods();
        BacktestConfig config;
        try {
            int h = horizon == null ? holdout : horizon;
            config = new BacktestConfig(holdout, h, step == null ? h : step, BacktestConfig.DEFAULT_QUANTILES);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ProgressBar progress = new ProgressBar(stderr);
        try {
            long start = System.nanoTime();
            int season = data.bucket.season();
            List<SeriesHistory> histories = data.read(holdout + season + 1,
                    "holdout " + holdout + " + one season of " + season + " + 1 for the MASE scale");
            stderr.printf(Locale.ROOT, "read %d series from %s in %.1f s%n", histories.size(), data.data,
                    (System.nanoTime() - start) / 1e9);
            stderr.flush();
            ModelTrainer trainer = null;
            if (chosen.contains(LSTM)) {
                trainer = trainers.create(new TrainingSpec(data.bucket, config.horizon(), config.quantiles(),
                        data.covariates, seed.seed));
            }
            List<Forecaster> baselines = new ArrayList<>();
            for (String m : chosen) {
                switch (m) {
                    case SeasonalNaive.METHOD -> baselines.add(new SeasonalNaive(config.quantiles()));
                    case Naive.METHOD -> baselines.add(new Naive(config.quantiles()));
                    case MovingAverage.METHOD -> baselines.add(new MovingAverage(config.quantiles(), maWindow));
                    default -> { }
                }
            }
            BacktestResult result = new Backtest(config).run(histories, trainer, progress, baselines);
            progress.finish();
            BacktestReport.write(result, out);
            stdout.print(BacktestReport.table(result));
            stdout.printf(Locale.ROOT, "%d series, %d skipped (not longer than the holdout); wrote %s%n",
                    result.series().size(), result.skippedSeries(), out.resolve("report.html"));
            stdout.flush();
            return 0;
        } catch (SalesDataException | IllegalArgumentException | IllegalStateException e) {
            progress.finish();
            stderr.println("backtest: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            progress.finish();
            stderr.println("backtest: " + e);
            return 1;
        }
    }

    private List<String> chosenMethods() {
        List<String> available = new ArrayList<>();
        if (trainers != null) {
            available.add(LSTM);
        }
        available.addAll(BASELINES);
        if (methods == null || methods.isEmpty()) {
            return available;
        }
        List<String> chosen = new ArrayList<>();
        for (String m : methods) {
            String name = m.trim().toLowerCase(Locale.ROOT);
            if (name.equals(LSTM) && trainers == null) {
                throw new ParameterException(spec.commandLine(), "method lstm needs a model trainer and none is"
                        + " wired into this command; available: " + String.join(", ", available));
            }
            if (!available.contains(name)) {
                throw new ParameterException(spec.commandLine(), "unknown method '" + m + "'; expected one of "
                        + String.join(", ", available));
            }
            if (!chosen.contains(name)) {
                chosen.add(name);
            }
        }
        return chosen;
    }
}
