package io.demandcast.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.backtest.RecordingTrainer;
import io.demandcast.model.lstm.LstmConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandsTest {

    @TempDir
    Path dir;

    private Path sales;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final RecordingTrainer trainer = new RecordingTrainer();
    private final List<TrainingSpec> specs = new ArrayList<>();

    /** Three products over 60 days, the third with a gap of days without rows. */
    @BeforeEach
    void writeSales() throws IOException {
        StringBuilder csv = new StringBuilder("date,sku,units,price\n");
        LocalDate d0 = LocalDate.of(2011, 3, 1);
        for (int t = 0; t < 60; t++) {
            csv.append(d0.plusDays(t)).append(",A,").append(t % 7 + 3).append(",1.5\n");
            csv.append(d0.plusDays(t)).append(",\"B, the second\",").append(2 * (t % 5)).append(",2\n");
            if (t < 20 || t > 30) {
                csv.append(d0.plusDays(t)).append(",C,").append(t % 3).append(",\n");
            }
        }
        sales = dir.resolve("sales.csv");
        Files.writeString(sales, csv);
    }

    private int run(TrainerFactory factory, String... args) {
        CommandLine cl = ModelCommands.commandLine(factory);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private TrainerFactory recording() {
        return spec -> {
            specs.add(spec);
            return trainer;
        };
    }

    private String[] backtest(Path data, String... more) {
        List<String> args = new ArrayList<>(List.of("backtest", "--data", data.toString(), "--series", "sku",
                "--time", "date", "--value", "units", "--bucket", "day", "--holdout", "14", "--horizon", "7",
                "--out", dir.resolve("bt").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void backtestOfTheBaselinesWritesItsFilesAndPrintsTheTable() throws IOException {
        assertThat(run(null, backtest(sales))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("seasonal_naive", "naive", "moving_average", "MASE")
                .doesNotContain("lstm");
        List<String> lines = Files.readAllLines(dir.resolve("bt/forecasts.csv"));
        assertThat(lines.get(0)).isEqualTo("series,bucket_start,step,method,actual,p10,p50,p90");
        // 3 series x 2 origins x 7 steps x 3 methods
        assertThat(lines).hasSize(1 + 3 * 2 * 7 * 3);
        assertThat(dir.resolve("bt/report.html")).exists();
        assertThat(dir.resolve("bt/metrics.json")).exists();
    }

    @Test
    void backtestWithAnInjectedTrainerRunsTheLstmFirstAndShowsProgress() {
        assertThat(run(recording(), backtest(sales, "--covariates", "price"))).as(err.toString()).isZero();
        assertThat(specs).singleElement().satisfies(s -> {
            assertThat(s.bucket()).isEqualTo(Bucket.DAY);
            assertThat(s.horizon()).isEqualTo(7);
            assertThat(s.covariates()).containsExactly("price");
        });
        assertThat(trainer.trainedOn).extracting(SeriesHistory::length).containsExactly(46, 46, 46);
        assertThat(out.toString()).contains("lstm");
        assertThat(err.toString()).contains("epoch 3/3", "loss 0.33333", "val_loss 0.66667");
    }

    @Test
    void theSeedReachesTheTrainerAndDefaultsToTheLstmsOwn() {
        assertThat(run(recording(), backtest(sales, "--methods", "lstm", "--seed", "7"))).as(err.toString()).isZero();
        assertThat(run(recording(), backtest(sales, "--methods", "lstm"))).as(err.toString()).isZero();
        assertThat(run(recording(), "train", "--data", sales.toString(), "--series", "sku", "--time", "date",
                "--value", "units", "--bucket", "day", "--horizon", "7", "--seed", "-3",
                "--out", dir.resolve("model").toString())).as(err.toString()).isZero();
        assertThat(specs).extracting(TrainingSpec::seed).containsExactly(7L, 42L, -3L);
        assertThat(specs.get(1).seed()).isEqualTo(LstmConfig.defaults(Bucket.DAY).seed());
        assertThat(LstmTrainers.configFor(specs.get(0)).seed()).isEqualTo(7L);
    }

    @Test
    void aSeedThatIsNotANumberIsAUsageErrorSayingWhatWasExpected() {
        assertThat(run(recording(), backtest(sales, "--methods", "lstm", "--seed", "seven"))).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--seed': expected a whole number",
                "got 'seven'");
        assertThat(specs).isEmpty();
    }

    @Test
    void methodsCanBeChosen() throws IOException {
        assertThat(run(recording(), backtest(sales, "--methods", "naive,lstm"))).as(err.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("bt/forecasts.csv")).stream().skip(1)
                .map(l -> l.split(",")[l.startsWith("\"") ? 4 : 3]).distinct()).containsExactly("lstm", "naive");
    }

    @Test
    void lstmWithoutATrainerIsAUsageError() {
        assertThat(run(null, backtest(sales, "--methods", "lstm"))).isEqualTo(2);
        assertThat(err.toString()).contains("method lstm needs a model trainer");
    }

    @Test
    void anUnknownMethodIsAUsageError() {
        assertThat(run(null, backtest(sales, "--methods", "prophet"))).isEqualTo(2);
        assertThat(err.toString()).contains("unknown method 'prophet'; expected one of seasonal_naive, naive,"
                + " moving_average");
    }

    @Test
    void unknownOptionsFail() {
        assertThat(run(null, backtest(sales, "--frobnicate"))).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--frobnicate'");
    }

    @Test
    void aBadBucketNamesTheAcceptedOnes() {
        String[] args = backtest(sales);
        args[10] = "fortnight";
        assertThat(run(null, args)).isEqualTo(2);
        assertThat(err.toString()).contains("bucket must be one of hour, day, week, month; got 'fortnight'");
    }

    @Test
    void helpListsTheOptions() {
        assertThat(run(null, "backtest", "--help")).isZero();
        assertThat(out.toString()).contains("--holdout", "--horizon", "--step", "--methods", "--covariates",
                "--bucket", "--seed=N", "(default: 42)");
    }

    @Test
    void aBadDateFailsWithFileLineAndText() throws IOException {
        Files.writeString(sales, Files.readString(sales).replaceFirst("2011-03-02,A", "2011-02-30,A"));
        assertThat(run(null, backtest(sales))).isEqualTo(1);
        assertThat(err.toString()).contains("backtest: " + sales + ":5: column 'date': expected a time")
                .contains("got '2011-02-30'");
    }

    @Test
    void aMissingColumnFailsNamingTheColumnsFound() {
        String[] args = backtest(sales);
        args[4] = "StockCode";
        assertThat(run(null, args)).isEqualTo(1);
        assertThat(err.toString()).contains("no series column 'StockCode'; the columns are date, sku, units, price");
    }

    @Test
    void aFileTooShortForTheHoldoutSaysSo() {
        String[] args = backtest(sales);
        args[12] = "56";
        args[14] = "56";
        assertThat(run(null, args)).isEqualTo(1);
        assertThat(err.toString()).contains("the longest series has 60 day buckets, fewer than the 64 needed"
                + " (holdout 56 + one season of 7 + 1 for the MASE scale)");
    }

    @Test
    void aMissingFileSaysSo() {
        assertThat(run(null, backtest(dir.resolve("nope.csv")))).isEqualTo(1);
        assertThat(err.toString()).contains(dir.resolve("nope.csv") + ": no such file");
    }

    @Test
    void trainUsesEveryRowAndExportsWithProgressOnStderr() {
        Path model = dir.resolve("model");
        int code = run(recording(), "train", "--data", sales.toString(), "--series", "sku", "--time", "date",
                "--value", "units", "--bucket", "day", "--horizon", "7", "--out", model.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(trainer.trainedOn).extracting(SeriesHistory::length).containsExactly(60, 60, 60);
        assertThat(trainer.exportedTo).containsExactly(model);
        assertThat(trainer.closed).isTrue();
        assertThat(model.resolve("model-card.json")).exists();
        assertThat(err.toString()).contains("[##########....................] epoch 1/3", "epoch 3/3");
        assertThat(out.toString()).contains("trained recording-1 on 3 series");
    }

    @Test
    void trainWithoutATrainerSaysNoneIsWiredIn() {
        int code = run(null, "train", "--data", sales.toString(), "--series", "sku", "--time", "date",
                "--value", "units", "--bucket", "day", "--horizon", "7", "--out", dir.resolve("m").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("train: no model trainer is wired into this command");
    }

    @Test
    void trainRequiresItsOptions() {
        assertThat(run(null, "train", "--data", sales.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required options");
    }
}
