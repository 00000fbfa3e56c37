package io.demandcast.model.cli;

import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmTrainer;

/** The LSTM as the commands' default model: its per-bucket defaults, with the horizon and quantiles asked for. */
public final class LstmTrainers {

    private LstmTrainers() {
    }

    /**
     * Settings for a training run: {@link LstmConfig#defaults(io.demandcast.model.Bucket, int)} of the bucket at
     * the run's horizon (one horizon of validation buckets), with the run's quantiles and seed.
     */
    public static LstmConfig configFor(TrainingSpec spec) {
        LstmConfig defaults = LstmConfig.defaults(spec.bucket(), spec.horizon());
        return defaults
                .withTraining(defaults.epochs(), defaults.batchSize(), defaults.learningRate(), defaults.patience(),
                        spec.seed(), defaults.validationBuckets())
                .withQuantiles(spec.quantiles());
    }

    public static TrainerFactory factory() {
        // The defaults, fitted to the histories the run trains on (LstmConfig.fittedTo).
        return spec -> (histories, listener) -> new LstmTrainer(configFor(spec).fittedTo(histories))
                .train(histories, listener);
    }
}
