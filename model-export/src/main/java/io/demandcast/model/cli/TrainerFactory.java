package io.demandcast.model.cli;

import io.demandcast.model.ModelTrainer;

/**
 * How the {@code train} and {@code backtest} commands get the trainer of the model (the LSTM): the application
 * passes one in, so that this package does not depend on a particular model.
 */
@FunctionalInterface
public interface TrainerFactory {

    ModelTrainer create(TrainingSpec spec);
}
