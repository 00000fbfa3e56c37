package io.demandcast.model.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.TrainingListener;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.model.data.CsvParser;
import io.demandcast.model.data.SalesCsvReader;
import io.demandcast.model.data.SalesCsvSpec;
import io.demandcast.model.metrics.MethodSummary;
import io.demandcast.model.metrics.SeriesErrors;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The harness end to end against R's forecast package on the shared data (../shared/data next to the repository
 * root, or -Ddemandcast.shared.data=DIR): our seasonal naive backtest must give R's snaive MASE series by series.
 */
class SharedDataBacktestTest {

    static Path sharedData() {
        String override = System.getProperty("demandcast.shared.data");
        if (override != null) {
            return Path.of(override);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("model-export"))) {
            dir = dir.getParent();
        }
        return dir == null ? Path.of("../shared/data") : dir.resolve("../shared/data").normalize();
    }

    private static Path requireFile(String relative) {
        Path file = sharedData().resolve(relative);
        assumeTrue(Files.isRegularFile(file), "shared data not found at " + file + "; skipping the check against R");
        return file;
    }

    /** R's per-series snaive MASE; Inf (zero scale) comes out as NaN. */
    private static Map<String, Double> rMase(Path metricsCsv) throws IOException {
        Map<String, Double> out = new HashMap<>();
        try (Reader in = Files.newBufferedReader(metricsCsv)) {
            CsvParser csv = new CsvParser(in, metricsCsv.toString());
            List<String> header = csv.next();
            int series = header.indexOf("series");
            int mase = header.indexOf("snaive_MASE");
            List<String> row;
            while ((row = csv.next()) != null) {
                double v = row.get(mase).equals("Inf") ? Double.NaN : Double.parseDouble(row.get(mase));
                out.put(row.get(series), v);
            }
        }
        return out;
    }

    private static MethodSummary checkAgainstR(Path data, SalesCsvSpec spec, int holdout, Path rMetrics)
            throws IOException {
        List<SeriesHistory> histories = new SalesCsvReader(spec).read(data);
        BacktestResult r = new Backtest(BacktestConfig.of(holdout, holdout)).run(histories, null,
                TrainingListener.NONE, List.of(new SeasonalNaive(BacktestConfig.DEFAULT_QUANTILES)));
        Map<String, Double> expected = rMase(rMetrics);
        List<SeriesErrors> ours = r.perSeries().get(SeasonalNaive.METHOD);
        assertThat(ours).hasSameSizeAs(expected.keySet());
        for (SeriesErrors e : ours) {
            double want = expected.get(e.series());
            if (Double.isNaN(want)) {
                assertThat(e.hasScale()).as("series %s has a zero scale in R", e.series()).isFalse();
            } else {
                assertThat(e.mase()).as("MASE of series %s", e.series()).isCloseTo(want, within(1e-9 * (1 + want)));
            }
        }
        return r.summaries().get(SeasonalNaive.METHOD);
    }

    @Test
    void seasonalNaiveOnTop100DailyMatchesRSeriesBySeries() throws IOException {
        Path data = requireFile("online_retail/top100_daily.csv.gz");
        MethodSummary s = checkAgainstR(data, new SalesCsvSpec("sku", "date", "units", List.of("price"), Bucket.DAY),
                28, requireFile("online_retail/top100_daily_baseline_metrics.csv"));
        assertThat(s.series()).isEqualTo(100);
        assertThat(s.zeroScaleSeries()).isEqualTo(1);
        assertThat(s.maseMean()).isCloseTo(1.6436, within(5e-5));
        assertThat(s.maseMedian()).isCloseTo(1.0984, within(5e-5));
    }

    @Test
    void seasonalNaiveOnM3MonthlyMatchesRSeriesBySeries() throws IOException {
        Path data = requireFile("m3_monthly/m3_monthly.csv.gz");
        MethodSummary s = checkAgainstR(data, new SalesCsvSpec("series", "month", "value", List.of(), Bucket.MONTH),
                18, requireFile("m3_monthly/m3_monthly_baseline_metrics.csv"));
        assertThat(s.series()).isEqualTo(1428);
        assertThat(s.zeroScaleSeries()).isZero();
        assertThat(s.maseMean()).isCloseTo(1.1461, within(5e-5));
        assertThat(s.maseMedian()).isCloseTo(0.9693, within(5e-5));
    }
}
