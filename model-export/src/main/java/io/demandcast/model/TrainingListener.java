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

    /**
     * Called before each member of an ensemble starts training (members train one after another, each with its
     * own epochs); not called for a single network.
     *
     * @param member 1-based member about to train
     * @param members members in all
     * @param seed the member's seed
     */
    default void onMember(int member, int members, long seed) {
    }

    /**
     * Called after each epoch of the refit (see {@code LstmConfig#refit}): after early stopping, training goes on
     * for as many epochs as the best one on every window, the validation buckets included, so there is no
     * validation loss. It can take as long as the training before it.
     *
     * @param epoch 1-based refit epoch just finished
     * @param epochs refit epochs in all
     * @param trainLoss mean pinball loss on all windows
     */
    default void onRefitEpoch(int epoch, int epochs, double trainLoss) {
    }

    TrainingListener NONE = (epoch, maxEpochs, trainLoss, validationLoss) -> { };
}
