package io.demandcast.model;

import java.io.IOException;
import java.nio.file.Path;

/** A trained model that owns native resources: forecast with it, export it, then close it. */
public interface TrainedModel extends Forecaster, AutoCloseable {

    /** The model's version, as written in its model card and in every forecast it makes. */
    String version();

    /** Writes a SavedModel directory with its model-card.json. */
    void export(Path dir) throws IOException;

    /**
     * This model's forecasts behind its per-series guard (each series gets the model's forecast or the fallback the
     * guard chose for it at training time), or null when the model has no guard.
     */
    default Forecaster guarded(double[] quantiles) {
        return null;
    }

    @Override
    void close();
}
