package io.demandcast.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.lstm.LstmModel;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's code paths at a tiny size on a real broker and registry: results are well formed and their counts
 * match what was produced. Timings are not asserted (a shared machine makes them noise).
 */
class BenchTest {

    @TempDir
    Path work;

    private final StringWriter logText = new StringWriter();
    private final PrintWriter log = new PrintWriter(logText, true);

    @BeforeAll
    static void servers() {
        RegistryServer.startInBackground();
        KafkaBroker.shared();
        RegistryServer.shared();
    }

    private static BenchCluster cluster() {
        return new BenchCluster(KafkaBroker.shared().bootstrapServers(), RegistryServer.shared().url(),
                KafkaBroker.uniqueTopic("bench"));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void thePipelineBenchProcessesEveryOrderAndCountsEveryClosedBucketOfBothApplications() {
        SyntheticOrders orders = new SyntheticOrders(15, 12, 25, 2, 3L, SyntheticOrders.DEFAULT_FIRST_DAY);
        PipelineBench.Result r;
        try (BenchCluster cluster = cluster()) {
            // Two partitions: each count task reads what two intake tasks sent, which need not be in event-time order.
            r = new PipelineBench(cluster, new PipelineBench.Settings(orders, 2, 1, 1, true, Duration.ofSeconds(60)),
                    work, log).run();
            System.out.println(logText);
            assertThat(cluster.deleteTopics()).as("topics the bench made").isGreaterThanOrEqualTo(6);
        }

        SyntheticOrders.Expected e = r.expected();
        assertThat(e.orders()).as("12 days x 25 orders").isEqualTo(300);
        assertThat(e.seriesSales()).isEqualTo(e.orders() * 2);
        assertThat(e.closedDays()).isGreaterThan(e.closedSalesDays());
        assertThat(r.pipeline()).singleElement().satisfies(run -> {
            assertThat(run.finished()).as(logText.toString()).isTrue();
            // Besides orders and series sales, the threads process the intake's watermarks, which an idle intake
            // also sends on its wall-clock punctuation: how many depends on the machine's speed, so only the floor
            // is a count of what was produced. Exactness is held by the results below.
            assertThat(run.recordsProcessed()).isGreaterThanOrEqualTo(e.orders() + e.seriesSales());
            assertThat(run.distinctResults()).isEqualTo(e.closedDays());
            assertThat(run.emitted()).as("no duplicated bucket").isEqualTo(e.closedDays());
            assertThat(run.forecasts()).as("one forecast per closed bucket").isEqualTo(e.closedDays());
            assertThat(run.deadLetters()).isZero();
            assertThat(run.lateDeadLetters()).isZero();
            assertThat(run.dropped()).isZero();
            assertThat(run.recordsPerSecond()).isEqualTo(e.orders() / run.seconds());
        });
        assertThat(r.baseline()).singleElement().satisfies(run -> {
            assertThat(run.finished()).isTrue();
            assertThat(run.recordsProcessed()).isEqualTo(e.orders() + e.seriesSales());
            assertThat(run.distinctResults()).as("every (product, day) with a sale").isEqualTo(e.salesDays());
            assertThat(run.dropped()).as("records of windows the count had dropped").isZero();
        });
        assertThat(r.windowCloseVariant().finished()).as(logText.toString()).isTrue();
        assertThat(r.windowCloseVariant().distinctResults()).isLessThanOrEqualTo(e.closedSalesDays());
        assertThat(r.ratio()).isEqualTo(r.pipeline().get(0).recordsPerSecond()
                / r.baseline().get(0).recordsPerSecond());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theCycleBenchForecastsEverySeriesOnEveryCloseWithTheNamedMethodAndReportsTheChildsPeakMemory()
            throws Exception {
        Path model = work.resolve("model");
        String version = CycleBench.trainTinyModel(model);
        CycleBench.Result r;
        try (BenchCluster cluster = cluster()) {
            r = CycleBench.inChildJvm(cluster,
                    new CycleBench.Settings(30, 2, 1, 8, model, 1, 2, 1, Duration.ofMinutes(2)),
                    work, List.of("-Xmx256m"), log);
            cluster.deleteTopics();
        }
        assertThat(r.modelVersion()).isEqualTo(version);
        // One fallback close for the histories, two warm-up closes of each method, alternating, then one timed close
        // of each.
        assertThat(r.closes()).extracting(CycleBench.Close::method).containsExactly("seasonal_naive:no_model",
                LstmModel.METHOD, "seasonal_naive:no_model", LstmModel.METHOD, "seasonal_naive:no_model",
                LstmModel.METHOD, "seasonal_naive:no_model");
        assertThat(r.closes()).extracting(CycleBench.Close::warmUp)
                .containsExactly(true, true, true, true, true, false, false);
        // Every close rewrites every series' state (its tail and forecast) through the changelog.
        assertThat(r.closes()).allSatisfy(c -> assertThat(c.stateBytesPerSeries()).isGreaterThan(50));
        assertThat(r.closes()).allSatisfy(c -> {
            assertThat(c.forecasts()).isEqualTo(30);
            assertThat(c.visibleMs()).isGreaterThanOrEqualTo(c.forwardedMs()).isPositive();
            assertThat(c.cycleMs()).isPositive().isLessThanOrEqualTo(c.forwardedMs());
        });
        assertThat(r.closes()).filteredOn(c -> c.method().equals(LstmModel.METHOD))
                .allSatisfy(c -> assertThat(c.modelMs()).as("time in the model").isPositive());
        assertThat(r.closes()).filteredOn(c -> !c.method().equals(LstmModel.METHOD))
                .allSatisfy(c -> assertThat(c.modelMs()).as("no model call on a fallback close").isZero());
        assertThat(r.lstmCycleMs().median()).isEqualTo(r.closes().get(5).cycleMs());
        // The bare Kafka Streams close: as many warm-up and timed closes as the app had of each method, writing as
        // many bytes per series as the app did (its record sizes are taken from the app's producers). Within a
        // quarter: with 30 series a batch holds few records, and its header weighs on each.
        assertThat(r.bareCloses()).extracting(CycleBench.BareTiming::warmUp).containsExactly(true, true, false);
        assertThat(r.bareCloses()).allSatisfy(b -> assertThat(b.cycleMs()).isPositive());
        assertThat(r.bareCycleMs().median()).isEqualTo(r.bareCloses().get(2).cycleMs());
        assertThat(r.appBytesPerSeries()).isGreaterThan(100);
        assertThat(r.bareBytesPerSeries()).isCloseTo(r.appBytesPerSeries(),
                org.assertj.core.data.Percentage.withPercentage(25));
        assertThat(r.vmHwmKb()).as("peak RSS read from /proc").isGreaterThan(10_000);
        assertThat(r.childJvmOptions()).isEqualTo("-Xmx256m");
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void theSoakSamplesTheChildAppWhileItKeepsUpAndJudgesEachMeasure() throws Exception {
        SoakBench.Result r;
        try (BenchCluster cluster = cluster()) {
            // 45 s, a day every 3 s: 16 days of orders, 15 of them closed while the app is sampled.
            SoakBench.Settings settings = new SoakBench.Settings(Duration.ofSeconds(45), 20, 40, 2,
                    Duration.ofSeconds(3), Duration.ofSeconds(9), List.of("-Xmx256m"), 5L);
            r = new SoakBench(cluster, settings, work, log).run();
            System.out.println(logText);
            cluster.deleteTopics();
        }
        assertThat(r.childAlive()).as(logText.toString()).isTrue();
        assertThat(r.samples()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(r.ordersSent()).as("about 15 days of 40 orders").isBetween(500L, 16 * 40L);
        assertThat(r.finalLag()).as("the app caught up with every order").isZero();
        SoakBench.Sample last = r.samples().get(r.samples().size() - 1);
        assertThat(last.rssKb()).isGreaterThan(10_000);
        assertThat(last.liveHeapKb()).isBetween(1_000L, 256L * 1024);
        assertThat(last.stateBytes()).as("the app's stores on disk").isPositive();
        assertThat(r.trends()).extracting(SoakBench.Trend::measure)
                .containsExactly("rss_kb", "live_heap_kb", "state_bytes", "lag");
    }

    @Test
    void aMeasureLevelsOffWhenItsLastThirdGrowsFarLessThanItsFirst() {
        assertThat(SoakBench.Trend.of("m", List.of(100L, 160L, 200L, 210L, 212L, 214L)).levelsOff()).isTrue();
        assertThat(SoakBench.Trend.of("m", List.of(100L, 130L, 160L, 190L, 220L, 250L)).levelsOff()).isFalse();
        assertThat(SoakBench.Trend.of("m", List.of(500L, 480L, 510L, 495L, 505L, 500L)).levelsOff()).isTrue();
    }
}
