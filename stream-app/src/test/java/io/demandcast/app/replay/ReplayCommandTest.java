package io.demandcast.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.registry.ModelRegistry;
import io.demandcast.app.retrain.RegimeChange;
import io.demandcast.app.run.Cluster;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.TopicProvisioner;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code forecaster replay} on the real broker and registry, against a "production" of its own: ten weeks of orders
 * of six products on a two-partition {@code orders}, two model versions on the models topic, and a production
 * consumer group with committed offsets. A replay of February must write the backtest's files with the orders' own
 * daily totals as actuals, and leave every production topic, the group's offsets and the broker's topic list as
 * they were.
 */
class ReplayCommandTest {

    private static final int SERIES = 6;
    private static final int DAYS = 75;

    @TempDir
    static Path dir;
    static Cluster cluster;
    static AppConfig production;
    static Path configFile;
    static String firstVersion;
    static String secondVersion;
    /** Units of each product per day, as the orders sent say. */
    static final Map<String, Map<String, Double>> DAILY = new HashMap<>();

    @BeforeAll
    static void production() throws Exception {
        cluster = Cluster.shared();
        Map<String, String> props = cluster.properties(dir.resolve("prod-state"), "topic.partitions", "2",
                "grace", "PT1H", "horizon", "7", "model.name", "demand",
                "model.shared.dir", dir.resolve("shared").toString(), "model.cache.dir", dir.resolve("cache").toString());
        configFile = dir.resolve("production.properties");
        Files.writeString(configFile, props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n")) + "\n");
        production = AppConfig.load(configFile, Map.of());
        try (Admin admin = admin()) {
            TopicProvisioner.ensure(admin, production, Duration.ofSeconds(30));
        }

        RegimeChange data = new RegimeChange(SERIES, 5L);
        Path first = dir.resolve("models/first");
        Path second = dir.resolve("models/second");
        firstVersion = RegimeChange.trainAndExport(data.histories(28), 2, first);
        secondVersion = RegimeChange.fineTuneAndExport(first, data.histories(28), second);
        try (ModelRegistry registry = ModelRegistry.of(production)) {
            registry.ensureTopic();
            registry.publish(first, Map.of());
            registry.publish(second, Map.of());
        }

        // One order per product and day with sales, at a time of day of its own, in event-time order.
        List<OrderEvent> orders = new ArrayList<>();
        for (SalesBucket b : data.buckets(0, DAYS)) {
            if (b.getUnits() <= 0) {
                continue;
            }
            int s = Integer.parseInt(b.getSeries().substring(4));
            Instant t = b.getBucketStart().plus(Duration.ofMinutes(60 + 170L * s));
            orders.add(OrderEvent.newBuilder().setOrderId("o-" + b.getSeries() + "-" + b.getBucketStart())
                    .setEventTime(t).setType(OrderType.SALE)
                    .setLines(List.of(new OrderLine(b.getSeries(), b.getUnits(), 2.0))).build());
            DAILY.computeIfAbsent(b.getSeries(), x -> new TreeMap<>())
                    .put(b.getBucketStart().toString().substring(0, 10), b.getUnits());
        }
        orders.sort(Comparator.comparing(OrderEvent::getEventTime));
        try (Producer<String, OrderEvent> producer = ProduceCommand.producer(production)) {
            for (OrderEvent o : orders) {
                producer.send(new ProducerRecord<>(production.topicNames().orders(), null,
                        o.getEventTime().toEpochMilli(), o.getOrderId(), o));
            }
        }
        // The production app's group has read part of orders.
        Map<String, Object> c = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                production.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, production.applicationId()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.commitSync(Map.of(new TopicPartition(production.topicNames().orders(), 0),
                    new OffsetAndMetadata(40), new TopicPartition(production.topicNames().orders(), 1),
                    new OffsetAndMetadata(25)));
        }
    }

    @Test
    void aReplayOfTwoVersionsWritesTheBacktestFilesWithTheOrdersOwnDailyTotalsAndLeavesProductionAsItWas()
            throws Exception {
        Map<TopicPartition, Long> endsBefore = productionEnds();
        Map<TopicPartition, OffsetAndMetadata> committedBefore = committed();
        Set<String> topicsBefore = topics();
        Path out = dir.resolve("out");

        Cluster.Run run = Cluster.cli("replay", "--config", configFile.toString(), "--from", "2024-02-01",
                "--to", "2024-02-29", "--models", firstVersion + "," + secondVersion, "--parallel", "2",
                "--out", out.toString(), "--work-dir", dir.resolve("work").toString(), "--timeout", "240");

        assertThat(run.exitCode()).as("stdout %s%nstderr %s", run.out(), run.err()).isZero();
        for (String file : List.of("forecasts.csv", "metrics.json", "report.html", "error_by_step.png",
                "series_1.png")) {
            assertThat(out.resolve(file)).as("%s; stdout:%n%s", file, run.out()).isRegularFile();
            assertThat(Files.size(out.resolve(file))).as(file).isPositive();
        }

        // forecasts.csv: the backtest's columns plus model_version; every actual is the orders' own daily total.
        List<String> lines = Files.readAllLines(out.resolve("forecasts.csv"));
        assertThat(lines.get(0)).isEqualTo("series,bucket_start,step,method,actual,p10,p50,p90,model_version");
        Map<String, Long> rowsByVersion = new TreeMap<>();
        Set<String> days = new java.util.TreeSet<>();
        int compared = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            rowsByVersion.merge(f[8], 1L, Long::sum);
            days.add(f[1]);
            double expected = DAILY.get(f[0]).getOrDefault(f[1], 0.0);
            assertThat(Double.parseDouble(f[4])).as("actual of %s on %s; metrics.json %s", f[0], f[1],
                    Files.readString(out.resolve("metrics.json"))).isEqualTo(expected);
            compared++;
        }
        assertThat(compared).isPositive();
        assertThat(rowsByVersion).containsOnlyKeys(firstVersion, secondVersion, "seasonal_naive");
        assertThat(rowsByVersion.get(firstVersion)).isEqualTo(rowsByVersion.get(secondVersion))
                .isEqualTo(rowsByVersion.get("seasonal_naive"));
        assertThat(days).as("targets from --from to --to").first().isEqualTo("2024-02-01");
        assertThat(days).last().isEqualTo("2024-02-29");

        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        for (String v : List.of(firstVersion, secondVersion)) {
            JsonNode version = metrics.path("versions").path(v);
            assertThat(version.path("duplicates").asLong()).as(v + " duplicates").isZero();
            assertThat(version.path("complete").asBoolean()).as(v + " closed every bucket to --to").isTrue();
            assertThat(version.path("last_closed").asText()).isEqualTo("2024-02-29");
            for (String method : List.of("lstm", "seasonal_naive")) {
                JsonNode m = version.path("methods").path(method);
                assertThat(m.path("series").asInt()).as(v + " " + method).isEqualTo(SERIES);
                assertThat(m.path("mase_mean").isNumber()).as(v + " " + method + " MASE").isTrue();
                assertThat(m.path("mase_by_step")).hasSize(7);
            }
        }
        assertThat(metrics.path("methods").has("seasonal_naive")).isTrue();
        assertThat(run.out()).contains(firstVersion + " vs champion " + secondVersion, "promotion gate");

        // Production as it was: every topic's end offsets, the group's committed offsets, no member joined it.
        assertThat(productionEnds()).isEqualTo(endsBefore);
        assertThat(committed()).isEqualTo(committedBefore);
        try (Admin admin = admin()) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(production.applicationId()))
                    .all().get(30, TimeUnit.SECONDS).get(production.applicationId());
            assertThat(group.members()).isEmpty();
        }
        // No topic of the replay remains (its own, the internal repartition and changelog topics), nor its group.
        assertThat(topics()).isEqualTo(topicsBefore).noneMatch(t -> t.startsWith(TopicReplay.ID_PREFIX));
        try (Admin admin = admin()) {
            assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS)).extracting(g -> g.groupId())
                    .noneMatch(g -> g.startsWith(TopicReplay.ID_PREFIX));
        }
        assertThat(run.out()).contains(TopicReplay.ID_PREFIX);
        // Nor a schema registry subject of its topics, soft-deleted ones included: each replay registered some.
        assertThat(run.out()).containsPattern("deleted \\d+ topics and [1-9]\\d* registry subjects");
        assertThat(registry().subjects(true)).noneMatch(s -> s.startsWith(TopicReplay.ID_PREFIX));
    }

    @Test
    void twoVersionsReplayedAtOnceScoreExactlyAsTheyDoOneAfterTheOther() throws Exception {
        Path parallel = dir.resolve("out-parallel");
        Path sequential = dir.resolve("out-sequential");

        Cluster.Run together = replayTwoVersions(parallel, "2");
        Cluster.Run inTurn = replayTwoVersions(sequential, "1");

        assertThat(together.exitCode()).as("stdout %s%nstderr %s", together.out(), together.err()).isZero();
        assertThat(inTurn.exitCode()).as("stdout %s%nstderr %s", inTurn.out(), inTurn.err()).isZero();
        assertThat(together.out()).contains("2 replays at once");
        assertThat(inTurn.out()).doesNotContain("replays at once");
        // The same rows (the csv is written version by version in the order given, whichever replay ends first).
        assertThat(Files.readAllLines(parallel.resolve("forecasts.csv")))
                .hasSizeGreaterThan(1)
                .isEqualTo(Files.readAllLines(sequential.resolve("forecasts.csv")));
        JsonNode a = new ObjectMapper().readTree(parallel.resolve("metrics.json").toFile());
        JsonNode b = new ObjectMapper().readTree(sequential.resolve("metrics.json").toFile());
        for (String v : List.of(firstVersion, secondVersion)) {
            assertThat(a.path("versions").path(v).path("methods")).as(v).isNotEmpty()
                    .isEqualTo(b.path("versions").path(v).path("methods"));
            assertThat(a.path("versions").path(v).path("complete").asBoolean()).as(v).isTrue();
        }
        assertThat(a.path("verdicts")).isEqualTo(b.path("verdicts"));
        assertThat(topics()).noneMatch(t -> t.startsWith(TopicReplay.ID_PREFIX));
        assertThat(registry().subjects(true)).noneMatch(s -> s.startsWith(TopicReplay.ID_PREFIX));
    }

    private static Cluster.Run replayTwoVersions(Path out, String parallel) throws Exception {
        return Cluster.cli("replay", "--config", configFile.toString(), "--from", "2024-02-05", "--to", "2024-02-18",
                "--models", firstVersion + "," + secondVersion, "--parallel", parallel, "--out", out.toString(),
                "--work-dir", dir.resolve("work-" + out.getFileName()).toString(), "--timeout", "240");
    }

    @Test
    void aReplayWithRetrainingListsEveryDecisionPromotesNoCandidateWorseThanItsChampionAndComparesTheServedAccuracy()
            throws Exception {
        // Production's retraining settings, which the replay's trainer role takes: a fine-tune every week, scored
        // on the week before, never from scratch.
        Path config = dir.resolve("retraining.properties");
        Files.writeString(config, Files.readString(configFile) + "retrain.every.buckets=7\nretrain.eval.buckets=7\n"
                + "retrain.epochs=1\nretrain.scratch.every.buckets=0\n");
        Path out = dir.resolve("out-retrain");

        Cluster.Run run = Cluster.cli("replay", "--config", config.toString(), "--from", "2024-02-01", "--to",
                "2024-02-29", "--models", secondVersion, "--retrain", "--out", out.toString(), "--work-dir",
                dir.resolve("work-retrain").toString(), "--timeout", "400");

        assertThat(run.exitCode()).as("stdout %s%nstderr %s", run.out(), run.err()).isZero();
        String retrained = secondVersion + TopicReplay.RETRAINED;
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        JsonNode with = metrics.path("versions").path(retrained);
        assertThat(with.path("complete").asBoolean()).as("%s", with).isTrue();
        assertThat(with.path("started_from").asText()).isEqualTo(secondVersion);
        JsonNode decisions = with.path("retraining");
        // At least one decision per retraining interval of the scored period: a week, in a February of 29 days.
        assertThat(decisions.size()).as("%s%n%s", decisions, run.out()).isGreaterThanOrEqualTo(29 / 7);
        double margin = production.models().margin();
        for (JsonNode d : decisions) {
            if (d.path("decision").asText().equals("promoted")) {
                assertThat(d.path("candidate_mase").asDouble()).as("%s", d)
                        .isLessThan(d.path("champion_mase").asDouble() * (1 - margin));
                assertThat(d.path("published").asText()).isEqualTo(d.path("candidate").asText());
            } else {
                assertThat(d.path("published").isNull()).as("%s", d).isTrue();
            }
        }
        // Both served accuracies over the same buckets, on the same rows.
        for (String v : List.of(secondVersion, retrained)) {
            assertThat(metrics.path("versions").path(v).path("methods").path("lstm").path("mase_mean").isNumber())
                    .as(v).isTrue();
        }
        // Each row names the release that made it; those of the replay with retraining are marked as such.
        Map<Boolean, Long> rows = Files.readAllLines(out.resolve("forecasts.csv")).stream().skip(1)
                .map(l -> l.substring(l.lastIndexOf(',') + 1)).filter(v -> !v.equals("seasonal_naive"))
                .collect(Collectors.partitioningBy(v -> v.endsWith(TopicReplay.RETRAINED), Collectors.counting()));
        assertThat(rows.get(true)).isPositive().isEqualTo(rows.get(false));
        for (JsonNode d : decisions) {
            if (!d.path("published").isNull()) {
                String promoted = d.path("published").asText() + TopicReplay.RETRAINED;
                assertThat(Files.readAllLines(out.resolve("forecasts.csv"))).as(promoted)
                        .anyMatch(l -> l.endsWith("," + promoted));
                break;
            }
        }
        assertThat(run.out()).contains(retrained + ": served MASE", "with retraining vs", "retraining decision");
        assertThat(Files.readString(out.resolve("report.html"))).contains("Retraining decisions of " + retrained);
        assertThat(topics()).noneMatch(t -> t.startsWith(TopicReplay.ID_PREFIX));
        assertThat(registry().subjects(true)).noneMatch(s -> s.startsWith(TopicReplay.ID_PREFIX));
    }

    @Test
    void aParallelismBelowOneExitsWithStatus2AndCreatesNothing() throws Exception {
        Set<String> before = topics();
        Path out = dir.resolve("out-parallel-0");

        Cluster.Run run = Cluster.cli("replay", "--config", configFile.toString(), "--from", "2024-02-01",
                "--to", "2024-02-10", "--models", firstVersion + "," + secondVersion, "--parallel", "0",
                "--out", out.toString(), "--work-dir", dir.resolve("work-parallel-0").toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--parallel must be 1 or more; got 0");
        assertThat(topics()).isEqualTo(before);
        assertThat(out).doesNotExist();
    }

    @Test
    void anUnknownVersionExitsWithStatus2AndCreatesNothing() throws Exception {
        Set<String> before = topics();
        Path out = dir.resolve("out-unknown");

        Cluster.Run run = Cluster.cli("replay", "--config", configFile.toString(), "--from", "2024-02-01",
                "--to", "2024-02-10", "--models", firstVersion + ",no-such-version", "--out", out.toString(),
                "--work-dir", dir.resolve("work-unknown").toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("no release no-such-version", firstVersion);
        assertThat(topics()).isEqualTo(before);
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("work-unknown")).doesNotExist();
    }

    @Test
    void aPeriodWithoutOrdersExitsWithStatus1AndCreatesNothing() throws Exception {
        Set<String> before = topics();
        Path out = dir.resolve("out-empty");

        Cluster.Run run = Cluster.cli("replay", "--config", configFile.toString(), "--from", "2030-01-01",
                "--to", "2030-01-31", "--out", out.toString(), "--work-dir", dir.resolve("work-empty").toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("no orders on " + production.topicNames().orders());
        assertThat(topics()).isEqualTo(before);
        assertThat(out).doesNotExist();
    }

    @Test
    void aRangeOlderThanWhatRetentionKeptExitsWithStatus1AndCreatesNothing() throws Exception {
        // Another production whose orders lost their head to retention.
        Path file = otherProduction("old");
        AppConfig old = AppConfig.load(file, Map.of());
        try (Producer<String, OrderEvent> producer = ProduceCommand.producer(old)) {
            for (int d = 0; d < 10; d++) {
                Instant t = Instant.parse("2024-01-01T10:00:00Z").plus(Duration.ofDays(d));
                producer.send(new ProducerRecord<>(old.topicNames().orders(), null, t.toEpochMilli(), "o" + d,
                        OrderEvent.newBuilder().setOrderId("o" + d).setEventTime(t).setType(OrderType.SALE)
                                .setLines(List.of(new OrderLine("p", 1.0, 1.0))).build()));
            }
        }
        TopicPartition p0 = new TopicPartition(old.topicNames().orders(), 0);
        try (Admin admin = admin()) {
            admin.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(5))).all().get(30, TimeUnit.SECONDS);
        }
        Set<String> before = topics();

        Cluster.Run run = Cluster.cli("replay", "--config", file.toString(), "--from", "2024-01-03", "--to",
                "2024-01-08", "--model", dir.resolve("models/first").toString(), "--warmup", "0", "--out",
                dir.resolve("out-old").toString(), "--work-dir", dir.resolve("work-old").toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("deleted by retention", "2024-01-06");
        assertThat(topics()).isEqualTo(before);
        assertThat(dir.resolve("out-old")).doesNotExist();
    }

    @Test
    void ordersThatNameASchemaTheRegistryDoesNotHaveEndTheReplayAtOnceSayingWhy() throws Exception {
        // Another production whose orders were written while another registry served their schema: each names a
        // schema id this registry never gave out.
        Path file = otherProduction("lost");
        AppConfig lost = AppConfig.load(file, Map.of());
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, lost.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int d = 0; d < 6; d++) {
                Instant t = Instant.parse("2024-03-01T10:00:00Z").plus(Duration.ofDays(d));
                byte[] value = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654_321).putInt(d).array();
                producer.send(new ProducerRecord<>(lost.topicNames().orders(), null, t.toEpochMilli(), "o" + d,
                        value));
            }
        }
        Set<String> before = topics();

        Cluster.Run run = Cluster.cli("replay", "--config", file.toString(), "--from", "2024-03-03", "--to",
                "2024-03-05", "--model", dir.resolve("models/first").toString(), "--warmup", "0", "--out",
                dir.resolve("out-lost").toString(), "--work-dir", dir.resolve("work-lost").toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("every one of the", "dead-lettered as not an OrderEvent", "987654321",
                "produce them again").doesNotContain("nothing came for");
        assertThat(topics()).isEqualTo(before);
    }

    /** The config file of another production on the cluster, {@code name}, with a one-partition orders topic. */
    private static Path otherProduction(String name) throws Exception {
        Map<String, String> props = cluster.properties(dir.resolve(name + "-state"), "topic.partitions", "1");
        Path file = dir.resolve(name + ".properties");
        Files.writeString(file, props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n")) + "\n");
        cluster.broker.createTopics(1, AppConfig.load(file, Map.of()).topicNames().orders());
        return file;
    }

    private static SchemaRegistryClient registry() {
        return new SchemaRegistryClient(production.serdeConfig());
    }

    private static Admin admin() {
        return Admin.create(ForecasterApp.adminProperties(production, Duration.ofSeconds(30)));
    }

    private static Set<String> topics() throws Exception {
        try (Admin admin = admin()) {
            return new java.util.TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        }
    }

    private static Map<TopicPartition, Long> productionEnds() {
        Map<String, Object> c = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                production.bootstrapServers()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : production.topicNames().all()) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            return new HashMap<>(consumer.endOffsets(parts, Duration.ofSeconds(30)));
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed() throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(production.applicationId()).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
