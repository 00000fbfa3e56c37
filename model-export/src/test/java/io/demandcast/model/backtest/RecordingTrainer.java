package io.demandcast.model.backtest;

import io.demandcast.model.ModelTrainer;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainedModel;
import io.demandcast.model.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A trainer for tests of the harness: it records every history it is trained on and every history its model is
 * asked to forecast from, reports three epochs, and its model forecasts each series' training mean (a real, if
 * simple, global-parameter-free model), so that metrics on it are meaningful.
 */
public final class RecordingTrainer implements ModelTrainer {

    public final List<SeriesHistory> trainedOn = new ArrayList<>();
    public final List<SeriesHistory> forecastFrom = new ArrayList<>();
    public final List<Path> exportedTo = new ArrayList<>();
    public boolean closed;

    @Override
    public TrainedModel train(List<SeriesHistory> histories, TrainingListener listener) {
        trainedOn.addAll(histories);
        for (int epoch = 1; epoch <= 3; epoch++) {
            listener.onEpoch(epoch, 3, 1.0 / epoch, 2.0 / epoch);
        }
        return new TrainedModel() {
            @Override
            public String version() {
                return "recording-1";
            }

            @Override
            public void export(Path dir) throws IOException {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("model-card.json"), "{\"version\":\"recording-1\"}");
                exportedTo.add(dir);
            }

            @Override
            public void close() {
                closed = true;
            }

            @Override
            public String method() {
                return "lstm";
            }

            @Override
            public List<QuantileForecast> forecast(List<SeriesHistory> inputs, int horizon) {
                forecastFrom.addAll(inputs);
                List<QuantileForecast> out = new ArrayList<>();
                for (SeriesHistory h : inputs) {
                    double mean = 0;
                    for (double v : h.units()) {
                        mean += v / h.length();
                    }
                    double[][] values = new double[horizon][];
                    for (int s = 0; s < horizon; s++) {
                        values[s] = new double[] {0.5 * mean, mean, 1.5 * mean};
                    }
                    out.add(new QuantileForecast(h.series(), h.end(), new double[] {0.1, 0.5, 0.9}, values, "lstm",
                            "recording-1"));
                }
                return out;
            }
        };
    }
}
