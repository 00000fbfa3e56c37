package io.demandcast.app.run;

import io.demandcast.model.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads the model the app serves from {@code model.dir}. A seam: the LSTM's loader ({@code LstmModel::load}) is
 * wired where the app is started; without one, or without {@code model.dir}, the app forecasts with the seasonal
 * naive fallback and says so in its log and in every forecast's {@code method}.
 */
@FunctionalInterface
public interface ModelLoader {

    /** The model in {@code dir}; the caller owns it and closes it. */
    TrainedModel load(Path dir) throws IOException;

    /**
     * The loader {@code forecaster run} uses, or null when none is wired (the app then runs on the fallback).
     * The LSTM's is {@code LstmModel::load}, from model-export.
     */
    static ModelLoader installed() {
        return null;
    }
}
