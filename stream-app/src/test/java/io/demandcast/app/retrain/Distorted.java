package io.demandcast.app.retrain;

import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * A real fine-tuned candidate whose forecasts are bent by {@code f} (a fault put in on purpose): it exports
 * and versions as the model it wraps, so that only the gate stands between it and promotion.
 */
final class Distorted implements TrainedModel {

    private final TrainedModel model;
    private final DoubleUnaryOperator f;

    Distorted(TrainedModel model, DoubleUnaryOperator f) {
        this.model = model;
        this.f = f;
    }

    /** Candidates fine-tuned as the app makes them, then bent by {@code f}. */
    static CandidateSource fineTuned(int epochs, DoubleUnaryOperator f) {
        CandidateSource real = CandidateSource.fineTune(epochs, 1);
        return (dir, training) -> new Distorted(real.make(dir, training), f);
    }

    @Override
    public String method() {
        return model.method();
    }

    @Override
    public String version() {
        return model.version();
    }

    @Override
    public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
        List<QuantileForecast> out = new ArrayList<>();
        for (QuantileForecast q : model.forecast(histories, horizon)) {
            double[][] values = new double[q.values().length][];
            for (int h = 0; h < values.length; h++) {
                values[h] = q.values()[h].clone();
                for (int i = 0; i < values[h].length; i++) {
                    values[h][i] = f.applyAsDouble(values[h][i]);
                }
            }
            out.add(new QuantileForecast(q.series(), q.firstBucket(), q.quantiles(), values, q.method(),
                    q.modelVersion()));
        }
        return out;
    }

    @Override
    public void export(Path dir) throws IOException {
        model.export(dir);
    }

    @Override
    public void close() {
        model.close();
    }
}
