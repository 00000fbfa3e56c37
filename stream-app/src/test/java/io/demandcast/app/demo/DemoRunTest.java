package io.demandcast.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.replay.OrderReplay;
import io.demandcast.app.replay.OrdersOnTopic;
import io.demandcast.app.replay.ProduceCommand;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.TopicProvisioner;
import io.demandcast.schemas.registry.SchemaRegistryClient;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's code path at a small scale on the real broker and registry: four weeks of January 2011 trained on
 * (five products, a tiny LSTM); the file's orders produced to the demo's orders topic, which an earlier demo cut
 * short left holding the first days of the file; a week of warm-up and two weeks after the split replayed through
 * the production topology serving the exported model; then scored and reported from the replay's outputs.
 */
class DemoRunTest {

    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz");
    private static final ZoneId LONDON = ZoneId.of("Europe/London");
    /** Invoices in the file: the demo's orders topic holds each once. */
    private static final long FILE_ORDERS = 25_901;

    @Test
    void smallDemoProducesWhatTheTopicLacksReplaysItScoresTheReplayAndLeavesNothingOfTheReplay(@TempDir Path dir)
            throws Exception {
        RegistryServer.startInBackground();
        KafkaBroker broker = KafkaBroker.shared();
        RegistryServer registry = RegistryServer.shared();
        DemoSettings settings = new DemoSettings(DATA, LONDON, LocalDate.parse("2011-01-04"),
                LocalDate.parse("2011-02-01"), LocalDate.parse("2011-02-15"), 7, 5, 3,
                new DemoSettings.Training(null, 2, 2, 8, 8, 7, 7L), dir.resolve("out"), 2, Duration.ofSeconds(150));
        // Two partitions: each intake task reads at its own pace; on a loaded machine one can get no turn for a
        // whole wallclock.close.interval, which must not make it idle while records wait for it.
        DemoRun.Target target = new DemoRun.Target(broker.bootstrapServers(), registry.url(), dir.resolve("work"),
                KafkaBroker.uniqueTopic("demo-orders"), false, 2);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        DemoRun demo = new DemoRun(settings, target, new PrintWriter(out, true), new PrintWriter(err, true));
        AppConfig config = demo.appConfig();
        long cutShort = produceTheFirstDays(config, target.ordersTopic());

        DemoSummary s;
        long onTopic;
        try {
            s = demo.run();
            onTopic = OrdersOnTopic.read(config, target.ordersTopic()).records();
        } finally {
            // The demo keeps its orders topic for the next demo; this test removes it.
            try (Admin admin = admin(config)) {
                admin.deleteTopics(List.of(target.ordersTopic())).all().get(30, TimeUnit.SECONDS);
            }
        }
        String log = "stdout:\n" + out + "\nstderr:\n" + err;

        // Produced as `produce` does, only what the topic lacked: every order of the file once.
        assertThat(s.produced().alreadyThere()).as(log).isEqualTo(cutShort);
        assertThat(s.produced().sent()).isEqualTo(FILE_ORDERS - cutShort);
        assertThat(onTopic).isEqualTo(FILE_ORDERS);

        // Replayed from 2011-01-25 (a week of warm-up) up to the orders that close 2011-02-14, the day before
        // --until: every day closed once, one forecast per product and day.
        assertThat(s.replayed().from()).isEqualTo(Instant.parse("2011-01-25T00:00:00Z"));
        assertThat(s.replayed().complete()).as(log).isTrue();
        assertThat(s.lastClosed()).isEqualTo(Instant.parse("2011-02-14T00:00:00Z"));
        assertThat(s.firstClosed()).isEqualTo(s.replayed().from());
        assertThat(s.closedBuckets()).as("every day from the first closed to the last")
                .isEqualTo(Duration.between(s.firstClosed(), s.lastClosed()).toDays() + 1);
        assertThat(s.incompleteBuckets()).as("buckets whose forecasts and actuals differ in number").isEmpty();
        assertThat(s.forecasts()).isEqualTo(s.actuals()).isPositive();
        assertThat(s.duplicates()).isZero();
        assertThat(s.methods()).as("the exported LSTM served every forecast").containsOnlyKeys("lstm");
        assertThat(s.modelVersion()).startsWith("lstm");
        // The replay's actuals of the scored products equal the file's own daily totals, every day from the first
        // replayed on: 5 products x 21 days.
        assertThat(s.comparedActuals()).isEqualTo(5 * 21);
        assertThat(s.mismatchedActuals()).as("sales-actuals against the file's own aggregation: %s; dead letters "
                + "%s%n%s", s.mismatchExamples(), s.deadLetters(), log).isZero();
        assertThat(s.deadLetterCount()).as("Online Retail has stock adjustments with negative quantities")
                .isPositive();
        assertThat(s.deadLetters()).as("no sale of either partition came too late for its bucket")
                .doesNotContainKey("late");

        // Scored: one forecast per product made after each day 2011-01-31 .. 2011-02-13, targets up to 02-14.
        assertThat(s.products()).hasSize(5);
        assertThat(s.origins()).isEqualTo(5 * 14);
        assertThat(s.firstTarget()).isEqualTo(Instant.parse("2011-02-01T00:00:00Z"));
        assertThat(s.lastTarget()).isEqualTo(Instant.parse("2011-02-14T00:00:00Z"));
        for (DemoEvaluation.Figures f : s.figures().values()) {
            assertThat(f.points()).as(f.method()).isPositive();
            assertThat(f.maseMean()).as(f.method() + " MASE").isFinite().isPositive();
            assertThat(f.wape()).as(f.method() + " WAPE").isFinite().isPositive();
            assertThat(f.coverage()).as(f.method() + " coverage").isBetween(0.0, 1.0);
            assertThat(f.maseByStep()).hasSize(3);
        }
        assertThat(s.streamed().points()).as("both methods on the same points").isEqualTo(s.seasonalNaive().points());
        Path report = dir.resolve("out");
        List<String> rows = Files.readAllLines(report.resolve("forecasts.csv"));
        Set<String> keys = new HashSet<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            assertThat(keys.add(f[0] + "," + f[1] + "," + f[3] + "," + f[4])).as("one row per product, origin, step "
                    + "and method: %s", row).isTrue();
        }
        assertThat(keys).hasSize(2 * s.streamed().points());

        // The replay's progress line: event time reached, orders read, rate, time left.
        assertThat(err.toString()).containsPattern("event time 2011-02-1\\d  orders [\\d,]+/[\\d,]+  [\\d,]+ orders/s"
                + "  ETA ");
        // No what-if plot: a horizon of 3 days is shorter than the lead time plus the review day.
        for (String file : new String[] {"report.html", "error_by_step.png", "product_1.png", "product_2.png",
                "summary.txt", "forecasts.csv"}) {
            assertThat(report.resolve(file)).as(file).isRegularFile();
            assertThat(Files.size(report.resolve(file))).as(file).isPositive();
        }
        assertThat(Files.readString(report.resolve("report.html"))).contains("MASE", "product_1.png",
                "What-if", s.products().get(0));
        assertThat(Files.list(report.resolve("models")).toList()).as("the trained model was exported").hasSize(1);

        // Nothing of the replay is left: its topics, its group, its registry subjects, its work folder.
        String replayId = s.replayed().replayId();
        assertThat(out.toString()).contains(replayId);
        assertThat(s.replayed().topics()).isPositive();
        assertThat(s.replayed().subjects()).isPositive();
        try (Admin admin = admin(config)) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).noneMatch(t -> t.startsWith(replayId));
            assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS)).extracting(g -> g.groupId())
                    .noneMatch(g -> g.startsWith(replayId));
        }
        assertThat(new SchemaRegistryClient(config.serdeConfig()).subjects(true))
                .noneMatch(subject -> subject.startsWith(replayId));
        assertThat(dir.resolve("work").resolve(replayId)).doesNotExist();
    }

    /** What a demo cut short while producing leaves: the file's first days on the demo's orders topic. */
    private static long produceTheFirstDays(AppConfig config, String topic) throws Exception {
        try (Admin admin = admin(config)) {
            TopicProvisioner.ensure(admin, config, List.of(topic), Duration.ofSeconds(30));
        }
        OrderReplay.Summary sent = ProduceCommand.sendOrders(config, DATA, LONDON, topic,
                new OrderReplay.Settings(0, 0, 0, null, Instant.parse("2010-12-03T12:00:00Z")), null, null);
        assertThat(OrdersOnTopic.read(config, topic).records()).isEqualTo(sent.sent()).isPositive();
        return sent.sent();
    }

    private static Admin admin(AppConfig config) {
        return Admin.create(ForecasterApp.adminProperties(config, Duration.ofSeconds(30)));
    }
}
