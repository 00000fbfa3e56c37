package io.demandcast.app.retrain;

import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainedModel;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.model.lstm.ModelCard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Makes a candidate model from the champion's SavedModel folder and the training part of the window. */
@FunctionalInterface
public interface CandidateSource {

    /** A new model the caller owns and closes; it never changes the champion in service. */
    TrainedModel make(Path championDir, List<SeriesHistory> training) throws IOException;

    /**
     * Fine-tunes a copy of the champion: its own load of the folder, because fine-tuning takes the model's write
     * lock and would stall the forecasts of the one in service.
     */
    static CandidateSource fineTune(int epochs, int threads) {
        return (dir, training) -> {
            LstmModel copy = LstmModel.load(dir, 1024, threads);
            try {
                copy.fineTune(training, epochs);
                return copy;
            } catch (RuntimeException e) {
                copy.close();
                throw e;
            }
        };
    }

    /** Trains a new network from scratch with the champion's shape and trainer settings (from its card). */
    static CandidateSource fromScratch(int threads) {
        return (dir, training) -> new LstmTrainer(scratchConfig(ModelCard.read(dir), threads)).train(training, null);
    }

    /**
     * The champion's shape and training settings as its card records them (its ensemble's members included), with
     * {@code threads} threads; a setting the card lacks takes the value trainers used before they recorded it (one
     * network, the plain loss, the bucket's default refit, no trend skip (and with it, no member left without it),
     * whole training futures only, no held season).
     */
    static LstmConfig scratchConfig(ModelCard card, int threads) {
        Map<String, Object> t = card.trainer();
        int horizon = card.horizon();
        LstmConfig defaults = LstmConfig.defaults(card.bucket());
        return defaults
                .withShape(card.lookback(), horizon, intOf(t, "layers", 1), intOf(t, "hiddenUnits", 32),
                        intOf(t, "headUnits", 16))
                .withQuantiles(card.quantiles())
                .withTraining(intOf(t, "epochs", 40), intOf(t, "batchSize", 128),
                        t.get("learningRate") instanceof Number n ? n.doubleValue() : 0.001, intOf(t, "patience", 6),
                        t.get("seed") instanceof Number n ? n.longValue() : 42L,
                        intOf(t, "validationBuckets", horizon))
                .withScaleFloor(t.get("scaleFloor") instanceof Number n ? n.doubleValue() : 1.0)
                .withMaxWindowsPerSeries(intOf(t, "maxWindowsPerSeries", 0))
                .withEnsemble(intOf(t, "members", 1), booleanOf(t, "residual", false))
                .withMaseWeighted(booleanOf(t, "maseWeighted", false))
                .withRefit(booleanOf(t, "refit", defaults.refit()))
                .withTrendSkip(booleanOf(t, "trendSkip", false))
                .withPlainMembers(intOf(t, "plainMembers", 0))
                .withRecurrentLookback(intOf(t, "recurrentLookback", 0))
                .withHeldSeason(booleanOf(t, "heldSeason", false))
                .withPartialWindows(booleanOf(t, "partialWindows", false))
                .withServing(1024, threads);
    }

    private static boolean booleanOf(Map<String, Object> trainer, String key, boolean fallback) {
        return trainer.get(key) instanceof Boolean b ? b : fallback;
    }

    private static int intOf(Map<String, Object> trainer, String key, int fallback) {
        return trainer.get(key) instanceof Number n ? n.intValue() : fallback;
    }
}
