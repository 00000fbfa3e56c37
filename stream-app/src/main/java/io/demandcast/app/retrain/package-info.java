/**
 * Online retraining, off the stream threads: {@link io.demandcast.app.retrain.RetrainingRole} keeps a bounded
 * window of {@code sales-actuals} and on a schedule runs a {@link io.demandcast.app.retrain.RetrainCycle}, which
 * makes a candidate (a fine-tuned copy of the champion, or a model trained from scratch), scores it and the
 * champion on recent buckets neither saw ({@link io.demandcast.app.retrain.HoldoutScore}) and promotes it through
 * the model registry only when it is better by a margin and finite.
 */
package io.demandcast.app.retrain;
