package io.demandcast.model.lstm;

import io.demandcast.model.SeriesHistory;
import io.demandcast.model.encode.EncodedBatch;
import io.demandcast.model.encode.FeatureEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Runs windows through a step (train or evaluate) in mini-batches and averages the loss over windows. */
final class Epochs {

    private Epochs() {
    }

    static double train(ToDoubleFunction<EncodedBatch> step, FeatureEncoder encoder, List<SeriesHistory> histories,
                        List<TrainingWindows.Window> windows, int batchSize) {
        double sum = 0;
        int count = 0;
        for (int from = 0; from < windows.size(); from += batchSize) {
            List<TrainingWindows.Window> part = windows.subList(from, Math.min(windows.size(), from + batchSize));
            List<SeriesHistory> rows = new ArrayList<>(part.size());
            int[] origins = new int[part.size()];
            int[] ends = new int[part.size()];
            for (int i = 0; i < part.size(); i++) {
                rows.add(histories.get(part.get(i).series()));
                origins[i] = part.get(i).origin();
                ends[i] = part.get(i).targetEnd();
            }
            double loss = step.applyAsDouble(encoder.encodeWindows(rows, origins, ends));
            sum += loss * part.size();
            count += part.size();
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
