package io.demandcast.model.cli;

import io.demandcast.model.ModelTrainer;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainedModel;
import io.demandcast.model.backtest.BacktestConfig;
import io.demandcast.model.data.SalesDataException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code train}: trains the wired-in model on every row of a sales file and exports it (SavedModel with its model
 * card) into the output directory, drawing progress on stderr.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the model on all rows of a sales file and export it.")
public final class TrainCommand implements Callable<Integer> {

    private final TrainerFactory trainers;

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    SeedOption seed = new SeedOption();

    @Option(names = "--horizon", required = true, paramLabel = "H", description = "Buckets the model forecasts.")
    int horizon;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory the model is exported to.")
    Path out;

    /** With the LSTM, the project's model. */
    public TrainCommand() {
        this(LstmTrainers.factory());
    }

    /** @param trainers makes the trainer; null when none is available */
    public TrainCommand(TrainerFactory trainers) {
        this.trainers = trainers;
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (horizon < 1) {
            throw new ParameterException(spec.commandLine(), "--horizon must be at least 1; got " + horizon);
        }
        if (trainers == null) {
            stderr.println("train: no model trainer is wired into this command");
            return 1;
        }
        ProgressBar progress = new ProgressBar(stderr);
        try {
            long start = System.nanoTime();
            List<SeriesHistory> histories = data.read(horizon + 1, "horizon " + horizon + " + 1");
            stderr.printf(Locale.ROOT, "read %d series from %s in %.1f s%n", histories.size(), data.data,
                    (System.nanoTime() - start) / 1e9);
            stderr.flush();
            ModelTrainer trainer = trainers.create(new TrainingSpec(data.bucket, horizon,
                    BacktestConfig.DEFAULT_QUANTILES, data.covariates, seed.seed));
            try (TrainedModel model = trainer.train(histories, progress)) {
                progress.finish();
                model.export(out);
                stdout.printf(Locale.ROOT, "trained %s on %d series in %.1f s; exported to %s%n", model.version(),
                        histories.size(), (System.nanoTime() - start) / 1e9, out);
            }
            stdout.flush();
            return 0;
        } catch (SalesDataException | IllegalArgumentException | IllegalStateException e) {
            progress.finish();
            stderr.println("train: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            progress.finish();
            stderr.println("train: " + e);
            return 1;
        }
    }
}
