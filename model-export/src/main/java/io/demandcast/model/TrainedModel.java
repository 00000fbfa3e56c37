package io.demandcast.model;

import java.io.IOException;
import java.nio.file.Path;

/** A trained model that owns native resources: forecast with it, export it, then close it. */
public interface TrainedModel extends Forecaster, AutoCloseable {

    /** The model's version, as written in its model card and in every forecast it makes. */
    String version();

    /** Writes a SavedModel directory with its model-card.json. */
    void export(Path dir) throws IOException;

    @Override
    void close();
}
