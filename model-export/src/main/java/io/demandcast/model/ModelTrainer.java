package io.demandcast.model;

import java.util.List;

/**
 * Trains a global model on many series. Every bucket of every history given is training data: a caller that
 * holds data out (backtests, guarded promotion) cuts it off before calling.
 */
public interface ModelTrainer {

    TrainedModel train(List<SeriesHistory> histories, TrainingListener listener);
}
