package io.demandcast.model;

/** Told about training progress, once per epoch; the CLI draws a progress bar from it. */
@FunctionalInterface
public interface TrainingListener {

    /**
     * @param epoch 1-based epoch just finished
     * @param maxEpochs the most epochs training may run (early stopping may end it sooner)
     * @param trainLoss mean pinball loss on the training windows
     * @param validationLoss mean pinball loss on the time-split validation windows (NaN when there are none)
     */
    void onEpoch(int epoch, int maxEpochs, double trainLoss, double validationLoss);

    TrainingListener NONE = (epoch, maxEpochs, trainLoss, validationLoss) -> { };
}
