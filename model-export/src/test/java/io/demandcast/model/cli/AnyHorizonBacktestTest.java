package io.demandcast.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.LstmTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command's LSTM settings hold for any horizon a user asks for, and a long monthly horizon backtests. */
class AnyHorizonBacktestTest {

    @TempDir
    Path dir;

    @Test
    void theTrainingSettingsOfEveryBucketAreValidForHorizonsOneToThirtySix() {
        for (Bucket bucket : Bucket.values()) {
            for (int h = 1; h <= 36; h++) {
                LstmConfig c = LstmTrainers.configFor(new TrainingSpec(bucket, h, new double[] {0.1, 0.5, 0.9},
                        List.of(), 5L));
                assertThat(c.horizon()).as("%s h=%d", bucket, h).isEqualTo(h);
                assertThat(c.validationBuckets()).as("%s h=%d", bucket, h).isEqualTo(h);
                assertThat(c.seed()).isEqualTo(5L);
                assertThat(c.lookback()).isEqualTo(LstmConfig.defaults(bucket).lookback());
                assertThat(c.members()).isEqualTo(LstmConfig.defaults(bucket).members());
            }
        }
    }

    /** The case of issue 12: {@code --bucket month --horizon 24 --holdout 24} failed before training. */
    @Test
    void aMonthlyBacktestAtHorizonTwentyFourTrainsAndForecastsEveryStep() throws IOException {
        StringBuilder csv = new StringBuilder("month,series,value\n");
        for (int s = 0; s < 3; s++) {
            for (int t = 0; t < 130; t++) {
                double v = (50 + 20 * s) * (1 + 0.3 * Math.sin(2 * Math.PI * t / 12)) + t * 0.2;
                csv.append(YearMonth.of(2000, 1).plusMonths(t)).append(",s").append(s).append(',')
                        .append(Math.round(v)).append('\n');
            }
        }
        Path data = dir.resolve("monthly.csv");
        Files.writeString(data, csv);
        // The command's own settings for the run, with two short epochs so that the test stays quick.
        TrainerFactory quick = spec -> {
            LstmConfig c = LstmTrainers.configFor(spec);
            return new LstmTrainer(c.withTraining(2, 64, 0.01, 1, c.seed(), c.validationBuckets())
                    .withEnsemble(1, false));
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ModelCommands.commandLine(quick);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute("backtest", "--data", data.toString(), "--series", "series", "--time", "month",
                "--value", "value", "--bucket", "month", "--horizon", "24", "--holdout", "24", "--methods",
                "lstm,seasonal_naive", "--out", dir.resolve("bt").toString());
        assertThat(rc).as(err.toString()).isZero();
        List<String> lstmRows = Files.readAllLines(dir.resolve("bt/forecasts.csv")).stream()
                .filter(l -> l.contains(",lstm,")).toList();
        assertThat(lstmRows).hasSize(3 * 24);
        assertThat(lstmRows).extracting(l -> Integer.parseInt(l.split(",")[2])).contains(1, 24);
    }
}
