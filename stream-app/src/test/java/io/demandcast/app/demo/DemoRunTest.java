package io.demandcast.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's code path at a small scale on the real broker and registry: four weeks of January 2011 trained on
 * (five products, a tiny LSTM), a week of warm-up and two weeks after the split replayed into the app serving the
 * exported model, then scored and reported.
 */
class DemoRunTest {

    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz");

    @Test
    void smallDemoStreamsForecastsForEveryClosedBucketScoresThemAndWritesTheReport(@TempDir Path dir)
            throws Exception {
        RegistryServer.startInBackground();
        KafkaBroker broker = KafkaBroker.shared();
        RegistryServer registry = RegistryServer.shared();
        DemoSettings settings = new DemoSettings(DATA, ZoneId.of("Europe/London"), LocalDate.parse("2011-01-04"),
                LocalDate.parse("2011-02-01"), LocalDate.parse("2011-02-15"), 7, 5, 3,
                new DemoSettings.Training(null, 2, 2, 8, 8, 7, 7L), dir.resolve("out"), 2, Duration.ofSeconds(150));
        // Two partitions: each intake task reads at its own pace; on a loaded machine one can get no turn for a
        // whole wallclock.close.interval, which must not make it idle while records wait for it.
        DemoRun.Target target = new DemoRun.Target(broker.bootstrapServers(), registry.url(), dir.resolve("work"), 0,
                false, 2);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        DemoSummary s = new DemoRun(settings, target, new PrintWriter(out, true), new PrintWriter(err, true)).run();

        // The last order is on 2011-02-14: with a day of grace, stream time closes every day up to 2011-02-12.
        assertThat(s.lastClosed()).as(out.toString()).isEqualTo(Instant.parse("2011-02-12T00:00:00Z"));
        long days = Duration.between(s.firstClosed(), s.lastClosed()).toDays() + 1;
        assertThat(s.closedBuckets()).as("every day from the first closed to the last").isEqualTo(days);
        assertThat(s.incompleteBuckets()).as("buckets whose forecasts and actuals differ in number").isEmpty();
        assertThat(s.forecasts()).isEqualTo(s.actuals()).isPositive();
        assertThat(s.duplicates()).isZero();
        assertThat(s.methods()).as("the exported LSTM served every forecast").containsOnlyKeys("lstm");
        assertThat(s.modelVersion()).startsWith("lstm");
        assertThat(s.comparedActuals()).isPositive();
        assertThat(s.mismatchedActuals()).as("sales-actuals against the file's own aggregation: %s; dead letters %s",
                s.mismatchExamples(), s.deadLetters()).isZero();
        assertThat(s.ordersSent()).isPositive();
        assertThat(s.deadLetterCount()).as("Online Retail has stock adjustments with negative quantities")
                .isPositive();
        assertThat(s.deadLetters()).as("no sale of either partition came too late for its bucket")
                .doesNotContainKey("late");

        assertThat(s.products()).hasSize(5);
        for (DemoEvaluation.Figures f : s.figures().values()) {
            assertThat(f.points()).as(f.method()).isPositive();
            assertThat(f.maseMean()).as(f.method() + " MASE").isFinite().isPositive();
            assertThat(f.wape()).as(f.method() + " WAPE").isFinite().isPositive();
            assertThat(f.coverage()).as(f.method() + " coverage").isBetween(0.0, 1.0);
            assertThat(f.maseByStep()).hasSize(3);
        }
        assertThat(s.streamed().points()).as("both methods on the same points").isEqualTo(s.seasonalNaive().points());
        // Scored: forecasts made after 2011-01-31 .. 2011-02-11, targets 2011-02-01 .. 2011-02-12.
        assertThat(s.firstTarget()).isEqualTo(Instant.parse("2011-02-01T00:00:00Z"));
        assertThat(s.lastTarget()).isEqualTo(Instant.parse("2011-02-12T00:00:00Z"));

        assertThat(out.toString()).as("a line per closed bucket as its forecasts arrive")
                .contains("  2011-02-12 ").contains("series forecast (lstm");
        // Two partitions close each day on their own: still one line per day, in order.
        List<String> printedDays = out.toString().lines().filter(l -> l.matches("  \\d{4}-\\d{2}-\\d{2}  .*"))
                .map(l -> l.substring(2, 12)).toList();
        assertThat(printedDays).hasSizeGreaterThan(10).doesNotHaveDuplicates().isSorted();
        Path report = dir.resolve("out");
        for (String file : new String[] {"report.html", "error_by_step.png", "product_1.png", "product_2.png",
                "summary.txt", "forecasts.csv"}) {
            assertThat(report.resolve(file)).as(file).isRegularFile();
            assertThat(Files.size(report.resolve(file))).as(file).isPositive();
        }
        assertThat(Files.readString(report.resolve("report.html"))).contains("MASE", "product_1.png",
                s.products().get(0));
        assertThat(Files.list(report.resolve("models")).toList()).as("the trained model was exported").hasSize(1);

        // The run's topics are gone, so a re-run starts clean.
        Matcher id = Pattern.compile("application\\.id (demo-[0-9a-f-]+),").matcher(out.toString());
        assertThat(id.find()).as(out.toString()).isTrue();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .noneMatch(t -> t.startsWith(id.group(1)));
        }
    }
}
