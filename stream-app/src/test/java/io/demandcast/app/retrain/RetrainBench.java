package io.demandcast.app.retrain;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.registry.ModelArchive;
import io.demandcast.app.registry.ModelReleaseFollower;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.schemas.avro.ModelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Measures one fine-tune cycle of the trainer role (not a unit test: timings on a shared machine are noisy): a
 * champion with the default daily shape (L 28, H 28, 32 units), trained on the first regime of
 * {@link RegimeChange}, is fine-tuned on a window of 120 daily buckets of N series (the default
 * {@code retrain.window.buckets}) minus the last 14 ({@code retrain.eval.buckets}), then candidate, champion and
 * seasonal naive are scored on those 14 and the candidate is exported and zipped as a promotion would publish it
 * (the Kafka send itself is left out). Same code as the role: {@link RetrainCycle} with
 * {@link CandidateSource#fineTune}.
 *
 * <p>Run: {@code java -cp <test classpath> io.demandcast.app.retrain.RetrainBench [threads] [epochs] N...}
 * (defaults: 1 thread, 2 epochs, N = 1000 10000).
 */
public final class RetrainBench {

    private RetrainBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int[] sizes = args.length > 2
                ? java.util.Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1_000, 10_000};
        Path work = Files.createTempDirectory("retrain-bench-");
        Path champion = work.resolve("champion");
        LstmConfig config = LstmConfig.defaults(Bucket.DAY).withTraining(2, 128, 0.001, 6, 42L, 0)
                .withServing(1024, threads);
        long t0 = System.nanoTime();
        try (LstmModel model = new LstmTrainer(config).train(new RegimeChange(100, 1L)
                .histories(RegimeChange.CHANGE_DAY), null)) {
            model.export(champion);
        }
        System.out.printf("champion (%s) trained in %.1f s%n", config, (System.nanoTime() - t0) / 1e9);
        AppConfig.Models settings = AppConfig.defaults().models();
        settings = new AppConfig.Models(settings.name(), work.resolve("shared"), work.resolve("cache"), true,
                settings.everyBuckets(), 14, settings.margin(), epochs, 120, settings.maxSeries(), 0, threads);
        ModelRelease fake = ModelRelease.newBuilder().setModelName("bench").setVersion("champion")
                .setCreated(Instant.now()).setTrainingFrom(Instant.now()).setTrainingTo(Instant.now())
                .setMetrics(Map.of()).setModelCardJson("{}").setPromotedAt(Instant.now()).build();
        long[] zipped = new long[1];
        RetrainCycle cycle = new RetrainCycle((dir, metrics) -> {
            zipped[0] = ModelArchive.zip(dir).length;
            return null;
        }, settings, new RetrainMetrics());
        System.out.println("series | windows/epoch | epochs | threads | cycle s | decision | candidate MASE | "
                + "champion MASE | zip bytes");
        for (int n : sizes) {
            // 120 buckets ending 60 days after the regime change: the new regime is most of the window.
            List<SeriesHistory> all = new RegimeChange(n, 2L).histories(RegimeChange.CHANGE_DAY + 60);
            List<SeriesHistory> window = all.stream().map(h -> tail(h, 120)).toList();
            long windows = window.stream().mapToLong(h -> Math.max(0, h.length() - 14 - config.horizon())).sum();
            RetrainCycle.Outcome o = cycle.run("fine-tune", new ModelReleaseFollower.Champion(fake, champion),
                    window, CandidateSource.fineTune(epochs, threads));
            System.out.printf("%d | %d | %d | %d | %.1f | %s | %.4f | %.4f | %d%n", n, windows, epochs, threads,
                    o.seconds(), o.decision().label(), o.candidate().mase(), o.champion().mase(), zipped[0]);
        }
    }

    static SeriesHistory tail(SeriesHistory h, int n) {
        int drop = Math.max(0, h.length() - n);
        double[] units = java.util.Arrays.copyOfRange(h.units(), drop, h.length());
        Map<String, double[]> cov = new java.util.LinkedHashMap<>();
        h.covariates().forEach((k, v) -> cov.put(k, java.util.Arrays.copyOfRange(v, drop, v.length)));
        return new SeriesHistory(h.series(), h.bucket(), h.bucketStart(drop), units, cov);
    }
}
