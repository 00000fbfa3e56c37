package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.ForecastBlock;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LstmExportTest {

    private static final int SERIES = 12;
    private static final int DAYS = 60;
    private static final long SEED = 21L;

    private static List<SeriesHistory> histories;
    private static LstmModel trained;
    private static Path exported;

    @TempDir
    static Path shared;

    @BeforeAll
    static void trainAndExport() throws IOException {
        histories = SyntheticDemand.weekly(SERIES, DAYS, SEED);
        trained = new LstmTrainer(LstmTrainerTest.small().withTraining(3, 64, 0.01, 4, 3L, 7).withServing(64, 1))
                .train(histories, null);
        exported = shared.resolve("v1");
        trained.export(exported);
    }

    @AfterAll
    static void closeModel() {
        trained.close();
    }

    @Test
    void exportWritesBothSignaturesAndACardThatDescribesTheModel() throws IOException {
        assertThat(exported.resolve("saved_model.pb")).isRegularFile();
        assertThat(exported.resolve("variables")).isDirectory();
        ModelCard card = ModelCard.read(exported);
        assertThat(card.version()).isEqualTo(trained.version());
        assertThat(card.parent()).isNull();
        assertThat(card.lookback()).isEqualTo(21);
        assertThat(card.horizon()).isEqualTo(7);
        assertThat(card.quantiles()).containsExactly(0.1, 0.5, 0.9);
        assertThat(card.pastFeatures()).startsWith("units", "observed").endsWith("cov:price");
        assertThat(card.seriesCount()).isEqualTo(SERIES);
        assertThat(card.trainingFrom()).isEqualTo(histories.stream().map(SeriesHistory::start).min(
                java.time.Instant::compareTo).orElseThrow());
        assertThat(card.trainer()).containsEntry("seed", 3).containsEntry("epochs", 3);
        String json = Files.readString(exported.resolve(ModelCard.FILE_NAME));
        assertThat(json).contains("\"trainingRange\"", "\"holdoutMetrics\"");
    }

    @Test
    void aFreshJvmLoadsTheExportAndPredictsBitForBitTheSame(@TempDir Path tmp) throws Exception {
        float[] expected = trained.predict(trained.encoder().encode(histories));
        Path out = tmp.resolve("predictions.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PredictInFreshJvm.class.getName(), exported.toString(), out.toString(), String.valueOf(SERIES),
                String.valueOf(DAYS), String.valueOf(SEED))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        assertThat(child.exitValue()).as("child exit, log:%n%s", Files.readString(tmp.resolve("child.log")))
                .isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo(trained.version());
        float[] actual = new float[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            actual[i - 1] = Float.intBitsToFloat(Integer.parseUnsignedInt(lines.get(i), 16));
        }
        assertThat(actual).containsExactly(expected);
    }

    @Test
    void trainStepChangesPredictionsAndReExportKeepsThem(@TempDir Path tmp) throws IOException {
        try (LstmModel loaded = LstmModel.load(exported, 64, 1)) {
            float[] before = loaded.predict(loaded.encoder().encode(histories));
            double loss = loaded.fineTune(SyntheticDemand.weekly(SERIES, DAYS, SEED + 1), 1);
            assertThat(loss).isFinite().isPositive();
            float[] after = loaded.predict(loaded.encoder().encode(histories));
            assertThat(after).isNotEqualTo(before);
            assertThat(loaded.version()).isNotEqualTo(trained.version());
            assertThat(loaded.card().parent()).isEqualTo(trained.version());

            Path v2 = tmp.resolve("v2");
            loaded.export(v2);
            try (LstmModel reloaded = LstmModel.load(v2, 64, 1)) {
                assertThat(reloaded.predict(reloaded.encoder().encode(histories))).containsExactly(after);
                assertThat(reloaded.version()).isEqualTo(loaded.version());
                assertThat(reloaded.card().parent()).isEqualTo(trained.version());
            }
        }
    }

    @Test
    void concurrentForecastsMatchSequentialOnes() throws Exception {
        try (LstmModel loaded = LstmModel.load(exported, 5, 0)) {
            List<QuantileForecast> sequential = loaded.forecast(histories, 7);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<QuantileForecast>>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    runs.add(pool.submit(() -> loaded.forecast(histories, 7)));
                }
                for (Future<List<QuantileForecast>> run : runs) {
                    List<QuantileForecast> got = run.get(60, TimeUnit.SECONDS);
                    for (int s = 0; s < SERIES; s++) {
                        assertThat(got.get(s).values()).isDeepEqualTo(sequential.get(s).values());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * The block read straight off the session's outputs, across chunks of 5 and in one chunk of 16, cut to 4 steps, is
     * forecast().
     */
    @ParameterizedTest
    @ValueSource(ints = {5, 16})
    void theForecastBlockHoldsTheSameNumbersAsTheForecasts(int batch) throws IOException {
        try (LstmModel loaded = LstmModel.load(exported, batch, 1)) {
            List<QuantileForecast> forecasts = loaded.forecast(histories, 4);
            ForecastBlock block = loaded.forecastBlock(histories, 4);
            assertThat(block.size()).isEqualTo(histories.size());
            for (int i = 0; i < histories.size(); i++) {
                QuantileForecast f = forecasts.get(i);
                assertThat(block.series(i)).isEqualTo(histories.get(i).series());
                assertThat(block.horizon(i)).isEqualTo(4);
                assertThat(block.levels(i)).containsExactly(f.quantiles());
                assertThat(block.isFinite(i, 4)).isTrue();
                for (int h = 0; h < 4; h++) {
                    for (int k = 0; k < 3; k++) {
                        assertThat(block.value(i, h, k)).as("row %d step %d level %d", i, h, k)
                                .isEqualTo(f.values()[h][k]);
                    }
                }
            }
        }
    }

    @Test
    void holdoutMetricsGoIntoTheExportedCard(@TempDir Path tmp) throws IOException {
        try (LstmModel loaded = LstmModel.load(exported)) {
            loaded.recordHoldoutMetrics(Map.of("mase", 0.91, "mase_seasonal_naive", 1.2));
            loaded.export(tmp.resolve("scored"));
        }
        assertThat(ModelCard.read(tmp.resolve("scored")).holdoutMetrics())
                .containsEntry("mase", 0.91).containsEntry("mase_seasonal_naive", 1.2);
    }

    @Test
    void loadingWithoutACardSaysWhichFileIsMissing(@TempDir Path tmp) throws IOException {
        Path copy = copyOf(exported, tmp.resolve("nocard"));
        Files.delete(copy.resolve(ModelCard.FILE_NAME));
        assertThatThrownBy(() -> LstmModel.load(copy)).isInstanceOf(IOException.class)
                .hasMessageContaining(copy.resolve("model-card.json").toString());
    }

    @Test
    void loadingACardWhoseFeaturesThisEncoderDoesNotBuildIsRefused(@TempDir Path tmp) throws IOException {
        Path copy = copyOf(exported, tmp.resolve("renamed"));
        Path card = copy.resolve(ModelCard.FILE_NAME);
        Files.writeString(card, Files.readString(card).replace("\"dow_mon\"", "\"weekday_monday\""));
        assertThatThrownBy(() -> LstmModel.load(copy)).isInstanceOf(IOException.class)
                .hasMessageContaining("weekday_monday").hasMessageContaining("incompatible encoder");
    }

    @Test
    void loadingACardThatDisagreesWithTheSignaturesIsRefused(@TempDir Path tmp) throws IOException {
        Path copy = copyOf(exported, tmp.resolve("wronglookback"));
        Path card = copy.resolve(ModelCard.FILE_NAME);
        Files.writeString(card, Files.readString(card).replace("\"lookback\" : 21", "\"lookback\" : 28"));
        assertThatThrownBy(() -> LstmModel.load(copy)).isInstanceOf(IOException.class)
                .hasMessageContaining("serving_default").hasMessageContaining("past")
                .hasMessageContaining("28");
    }

    @Test
    void exportRefusesToOverwriteAModel() {
        assertThatThrownBy(() -> trained.export(exported)).isInstanceOf(IOException.class)
                .hasMessageContaining("overwrite");
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        assertThat(new File(to.toString())).isDirectory();
        return to;
    }
}
