package io.demandcast.model.cli;

import io.demandcast.model.Bucket;
import java.util.List;

/**
 * What the command line knows about a training run, handed to a {@link TrainerFactory}: the trainer's own
 * settings (window length, epochs, ...) stay with the trainer's configuration.
 *
 * @param bucket the bucket of the histories
 * @param horizon buckets the model must forecast
 * @param quantiles the levels it must forecast, ascending
 * @param covariates the covariate names present in every history, in order
 * @param seed the seed the trainer starts from ({@code --seed}; {@link SeedOption#DEFAULT_SEED} when not given)
 */
public record TrainingSpec(Bucket bucket, int horizon, double[] quantiles, List<String> covariates, long seed) {

    public TrainingSpec {
        quantiles = quantiles.clone();
        covariates = List.copyOf(covariates);
    }
}
