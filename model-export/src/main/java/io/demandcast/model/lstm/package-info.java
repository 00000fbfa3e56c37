/**
 * The LSTM forecaster in TensorFlow Java: {@link io.demandcast.model.lstm.LstmTrainer} trains a global network
 * over all series from an {@link io.demandcast.model.lstm.LstmConfig}; {@link io.demandcast.model.lstm.LstmModel}
 * forecasts in batches, fine-tunes through {@code train_step}, exports a SavedModel with its
 * {@link io.demandcast.model.lstm.ModelCard} ({@code model-card.json}) and loads one back.
 *
 * <p>The graph: inputs {@code past} [B, L, Fp] and {@code future} [B, H, Ff] in natural units; per-window scaling
 * (units divided by max(mean |units| over the observed lookback, scaleFloor), relative covariates by their lookback
 * level), with log1p of the scaled units as one more input channel; per ensemble member ({@link
 * io.demandcast.model.lstm.LstmConfig#members()}: networks trained separately, then assembled in one graph whose output
 * combines theirs) stacked LSTM layers over L (TensorFlow's fused LSTM kernel); a direct multi-horizon head (the last
 * hidden state gives a context per horizon step, each step adds its known-future features, a shared layer maps it to Q
 * values); quantiles made ascending and non-negative as cumulative softplus (or, with the residual head, a median that
 * corrects a seasonal/level anchor with softplus gaps either side; with the trend skip, on by default for month
 * buckets, a median that adds a gated damped-trend path from the window's level, slope and seasonal index to the
 * head's output, again with softplus gaps either side); the band widened or narrowed around the median by
 * factors the trainer fits on the validation split (a variable outside the optimiser); outputs multiplied back by
 * the scale, and a quantile under 1% of the window's scale served as 0.
 * Training: early stopping on the last H buckets of each series, then from the best epoch's weights as many epochs
 * again on every window. Loss: pinball loss in scaled units averaged over the observed steps (a NaN target is skipped)
 * and quantiles, so every series weighs the same. Optimiser: Adam. Signatures: {@code serving_default} (past, future -> quantiles [B, H, Q]) and {@code
 * train_step} (past, future, targets [B, H] -> loss, after one Adam step).
 */
package io.demandcast.model.lstm;
