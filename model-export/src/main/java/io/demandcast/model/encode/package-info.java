/**
 * The feature encoder: the one place that turns {@link io.demandcast.model.SeriesHistory} windows into model
 * inputs ({@link io.demandcast.model.encode.EncodedBatch}: past [B, L, Fp], known-future [B, H, Ff], targets
 * [B, H]) and model outputs back into {@link io.demandcast.model.QuantileForecast}s. Training, backtests,
 * streaming and replays call it unchanged.
 *
 * <p>Inputs stay in natural units: the model graph scales them per window (units by their mean over the observed
 * lookback, floored; covariates by {@link io.demandcast.model.encode.CovariateScaling}), so a SavedModel's
 * {@code serving_default} signature takes exactly what this encoder builds.
 */
package io.demandcast.model.encode;
