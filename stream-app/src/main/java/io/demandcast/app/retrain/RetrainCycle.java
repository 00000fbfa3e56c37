package io.demandcast.app.retrain;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.registry.ModelRegistry;
import io.demandcast.app.registry.ModelReleaseFollower;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainedModel;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.schemas.avro.ModelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guarded retraining: the candidate is made from the window minus its most recent {@code E} buckets, then
 * candidate and champion are scored on those {@code E} buckets, which neither was trained on. The candidate is
 * promoted (published as the champion) only when every output is finite and its MASE is below the champion's
 * times {@code 1 - margin}. Every decision is logged and counted.
 */
public final class RetrainCycle {

    /** The outcome of one cycle; {@code published} is null unless promoted. */
    public record Outcome(String kind, Decision decision, String candidateVersion, String championVersion,
                          HoldoutScore candidate, HoldoutScore champion, HoldoutScore seasonalNaive,
                          double seconds, ModelRelease published) {
    }

    /** Publishes a promoted SavedModel as the champion: {@link ModelRegistry#publish} in the app. */
    @FunctionalInterface
    public interface Publisher {
        ModelRelease publish(Path savedModelDir, Map<String, Double> metrics) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(RetrainCycle.class);

    private final Publisher registry;
    private final AppConfig.Models settings;
    private final RetrainMetrics metrics;

    public RetrainCycle(Publisher registry, AppConfig.Models settings, RetrainMetrics metrics) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Whether a cycle on {@code window} has anything to score on: some series longer than {@code
     * retrain.eval.buckets}. Not yet, early in a stream or a replay.
     */
    public boolean canScore(List<SeriesHistory> window) {
        return !HoldoutScore.scorable(window, settings.evalBuckets()).isEmpty();
    }

    /**
     * @param kind what made the candidate, for the log ({@code fine-tune}, {@code scratch})
     * @param window every series' recent history, up to the last closed bucket
     */
    public Outcome run(String kind, ModelReleaseFollower.Champion champion, List<SeriesHistory> window,
                       CandidateSource source) throws IOException {
        long t0 = System.nanoTime();
        int e = settings.evalBuckets();
        List<SeriesHistory> training = HoldoutScore.trainingPart(window, e);
        if (training.isEmpty()) {
            throw new IllegalStateException("no series is longer than retrain.eval.buckets = " + e + " buckets ("
                    + window.size() + " series in the window)");
        }
        HoldoutScore championScore;
        HoldoutScore naiveScore;
        int horizon;
        try (LstmModel champ = LstmModel.load(champion.dir(), 1024, settings.threads())) {
            horizon = champ.encoder().horizon();
            championScore = HoldoutScore.of(champ, window, e, horizon);
            naiveScore = HoldoutScore.of(new SeasonalNaive(champ.card().quantiles()), window, e, horizon);
        }
        try (TrainedModel candidate = source.make(champion.dir(), training)) {
            HoldoutScore candidateScore = HoldoutScore.of(candidate, window, e, horizon);
            double bar = championScore.usable() ? championScore.mase() * (1 - settings.margin())
                    : Double.POSITIVE_INFINITY;
            Decision decision;
            if (!candidateScore.finite()) {
                decision = Decision.REJECTED_NON_FINITE;
            } else if (Double.isFinite(candidateScore.mase()) && candidateScore.mase() < bar) {
                decision = Decision.PROMOTED;
            } else if (Double.isFinite(candidateScore.mase()) && championScore.usable()
                    && candidateScore.mase() < championScore.mase()) {
                decision = Decision.REJECTED_UNDER_MARGIN;
            } else {
                decision = Decision.REJECTED_WORSE;
            }
            ModelRelease published = null;
            if (decision == Decision.PROMOTED) {
                Map<String, Double> scores = new LinkedHashMap<>();
                scores.put("lstm.mase", candidateScore.mase());
                scores.put("champion.mase", championScore.mase());
                scores.put("seasonal_naive.mase", naiveScore.mase());
                scores.put("eval.buckets", (double) e);
                scores.put("eval.series", (double) candidateScore.series());
                published = publish(candidate, scores);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            metrics.decided(decision, seconds);
            LOG.info("retrain ({}): candidate {} MASE {} vs champion {} MASE {} (to beat: {}), seasonal naive {}, "
                            + "on the last {} buckets of {} series{}: {} in {} s", kind, candidate.version(),
                    fmt(candidateScore.mase()), champion.version(), fmt(championScore.mase()), fmt(bar),
                    fmt(naiveScore.mase()), e, candidateScore.series(),
                    candidateScore.problem() == null ? "" : " (" + candidateScore.problem() + ")",
                    decision.label(), String.format("%.1f", seconds));
            return new Outcome(kind, decision, candidate.version(), champion.version(), candidateScore,
                    championScore, naiveScore, seconds, published);
        }
    }

    private ModelRelease publish(TrainedModel candidate, Map<String, Double> scores) throws IOException {
        if (candidate instanceof LstmModel lstm) {
            lstm.recordHoldoutMetrics(scores);
        }
        Path base = settings.cacheDir().toAbsolutePath();
        Files.createDirectories(base);
        Path dir = Files.createTempDirectory(base, ".candidate-");
        try {
            Path export = dir.resolve("model");
            candidate.export(export);
            return registry.publish(export, scores);
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format("%.4f", v) : Double.toString(v);
    }
}
