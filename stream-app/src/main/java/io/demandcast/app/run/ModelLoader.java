package io.demandcast.app.run;

import io.demandcast.app.config.AppConfig;
import io.demandcast.model.TrainedModel;
import io.demandcast.model.lstm.LstmModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads the model the app serves from {@code model.dir}: the LSTM's SavedModel by default, another loader in tests.
 * Without {@code model.dir} the app forecasts with the seasonal naive fallback and says so in its log and in every
 * forecast's {@code method}.
 */
@FunctionalInterface
public interface ModelLoader {

    /** The model in {@code dir}; the caller owns it and closes it. */
    TrainedModel load(Path dir) throws IOException;

    /**
     * The loader {@code forecaster run} uses: the LSTM SavedModel with its model card, each forecast call on
     * {@link AppConfig#servingThreads()} TensorFlow threads.
     */
    static ModelLoader installed(AppConfig config) {
        int threads = config.servingThreads();
        return dir -> LstmModel.load(dir, LstmModel.DEFAULT_BATCH, threads);
    }
}
