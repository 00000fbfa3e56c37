package io.demandcast.model.cli;

import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmTrainer;

/** The LSTM as the commands' default model: its per-bucket defaults, with the horizon and quantiles asked for. */
public final class LstmTrainers {

    private LstmTrainers() {
    }

    /**
     * Settings for a training run: {@link LstmConfig#defaults} of the bucket, reshaped to the run's horizon, with
     * the run's quantiles and seed.
     */
    public static LstmConfig configFor(TrainingSpec spec) {
        LstmConfig defaults = LstmConfig.defaults(spec.bucket());
        return defaults
                .withShape(defaults.lookback(), spec.horizon(), defaults.layers(), defaults.hiddenUnits(),
                        defaults.headUnits())
                .withTraining(defaults.epochs(), defaults.batchSize(), defaults.learningRate(), defaults.patience(),
                        spec.seed(), spec.horizon())
                .withQuantiles(spec.quantiles());
    }

    public static TrainerFactory factory() {
        return spec -> new LstmTrainer(configFor(spec));
    }
}
