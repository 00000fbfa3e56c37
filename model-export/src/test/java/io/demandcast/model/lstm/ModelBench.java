package io.demandcast.model.lstm;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.encode.EncodedBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the two speed targets of the LSTM, not a unit test (timings on a shared machine are noisy):
 * <ul>
 *   <li>{@code train}: the default daily config trained on 100 series x 365 days (target: under 3 minutes on 2
 *   cores);</li>
 *   <li>{@code infer}: batched forecasts of the default daily config, end to end (encode, run, decode) and the
 *   session alone, against seasonal naive (target: 100,000 series-forecasts a second on 2 cores, i.e. 50,000 per
 *   CPU-second end to end from 2 concurrent callers).</li>
 * </ul>
 * The deployment shape is {@code infer 1 1024}: two callers (stream threads) each run their own batches, one
 * intra-op thread per session run; with 2 threads per run the two callers' runs contend for the same 2 cores and
 * the pools' spinning costs about a third more CPU per forecast. The model is exported and loaded as the app
 * loads it ({@link LstmModel#load(java.nio.file.Path, int, int)}), so the serving session's pools are measured.
 * On a shared machine read the per-CPU-second figures, not the wall-clock ones.
 * Run: {@code java -cp model-export/target/test-classes:model-export/target/classes:<deps>
 * io.demandcast.model.lstm.ModelBench infer|train [threads] [batch] [hidden] [lookback]}
 */
public final class ModelBench {

    private ModelBench() {
    }

    /** Forecasts as a stream thread does, one cycle's worth at a time, keeping nothing. */
    private static long forecastInChunks(LstmModel model, List<SeriesHistory> histories, int h) {
        long finite = 0;
        for (int from = 0; from < histories.size(); from += 10_000) {
            for (var f : model.forecast(histories.subList(from, Math.min(histories.size(), from + 10_000)), h)) {
                finite += f.isFinite() ? 1 : 0;
            }
        }
        return finite;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static void main(String[] args) throws java.io.IOException {
        String mode = args.length > 0 ? args[0] : "infer";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        LstmConfig defaults = LstmConfig.defaults(Bucket.DAY);
        int hidden = args.length > 3 ? Integer.parseInt(args[3]) : defaults.hiddenUnits();
        int lookback = args.length > 4 ? Integer.parseInt(args[4]) : defaults.lookback();
        LstmConfig config = defaults.withShape(lookback, defaults.horizon(), defaults.layers(), hidden,
                defaults.headUnits()).withServing(batch, threads);
        System.out.println(config);
        List<SeriesHistory> year = SyntheticDemand.weekly(100, 365, 1L);
        if (mode.equals("train")) {
            long start = System.nanoTime();
            int[] epochs = {0};
            try (LstmModel model = new LstmTrainer(config).train(year, (e, max, t, v) -> {
                epochs[0] = e;
                System.out.printf("epoch %d/%d train %.4f validation %.4f at %.1f s%n", e, max, t, v,
                        (System.nanoTime() - start) / 1e9);
            })) {
                System.out.printf("trained 100 series x 365 days: %d epochs in %.1f s (%s)%n", epochs[0],
                        (System.nanoTime() - start) / 1e9, model.version());
            }
            return;
        }
        // Measured as the app serves it: exported, then loaded with the serving session (LstmModel.load).
        java.nio.file.Path exported = java.nio.file.Files.createTempDirectory("model-bench");
        try (LstmModel trained = new LstmTrainer(config.withTraining(1, 256, 0.003, 1, 1L, 0)).train(year, null)) {
            trained.export(exported);
        }
        try (LstmModel model = LstmModel.load(exported, batch, threads)) {
            int total = 200_000;
            List<SeriesHistory> many = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                many.add(year.get(i % year.size()));
            }
            int h = config.horizon();
            forecastInChunks(model, many.subList(0, 50_000), h);   // warm-up: JIT and TensorFlow's allocator
            long t0 = System.nanoTime();
            forecastInChunks(model, many, h);
            double endToEnd = total / ((System.nanoTime() - t0) / 1e9);

            // The deployment shape on 2 cores: two stream threads forecasting their own series at once, each
            // session run on one intra-op thread (Session is thread-safe).
            int callers = 2;
            Thread[] running = new Thread[callers];
            long tc = System.nanoTime();
            long cpuc = processCpuNanos();
            for (int c = 0; c < callers; c++) {
                List<SeriesHistory> part = many.subList(c * total / callers, (c + 1) * total / callers);
                running[c] = new Thread(() -> forecastInChunks(model, part, h));
                running[c].start();
            }
            for (Thread t : running) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            double concurrent = total / ((System.nanoTime() - tc) / 1e9);
            double concurrentPerCpuSecond = total / ((processCpuNanos() - cpuc) / 1e9);

            List<EncodedBatch> batches = new ArrayList<>();
            for (int from = 0; from < 50_000; from += batch) {
                batches.add(model.encoder().encode(many.subList(from, Math.min(50_000, from + batch))));
            }
            long t1 = System.nanoTime();
            long cpu1 = processCpuNanos();
            int done = 0;
            for (EncodedBatch b : batches) {
                model.predict(b);
                done += b.size();
            }
            double sessionOnly = done / ((System.nanoTime() - t1) / 1e9);
            double perCpuSecond = done / ((processCpuNanos() - cpu1) / 1e9);

            SeasonalNaive naive = new SeasonalNaive(config.quantiles());
            naive.forecast(many.subList(0, 20_000), h);
            long t2 = System.nanoTime();
            naive.forecast(many, h);
            double baseline = total / ((System.nanoTime() - t2) / 1e9);
            System.out.printf("LSTM L=%d H=%d hidden=%d, batch %d, %d threads: %.0f series/s end to end "
                            + "from one caller, %.0f series/s from %d concurrent callers (%.0f series per "
                            + "CPU-second end to end), %.0f series/s session only (%.0f series per CPU-second); "
                            + "seasonal naive %.0f series/s%n", config.lookback(), h,
                    config.hiddenUnits(), batch, threads, endToEnd, concurrent, callers, concurrentPerCpuSecond,
                    sessionOnly, perCpuSecond, baseline);
        }
    }
}
