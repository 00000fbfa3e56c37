package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.replay.OrderLinesFile;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through crashes, on the real broker and registry: two weeks of Online Retail replayed into an app in
 * a child JVM that is killed with SIGKILL five times at random points (and restarted on the same state directory
 * each time), against the same orders through an uninterrupted app. Every (series, day) on {@code sales-actuals}
 * and {@code forecasts} (read_committed) must come out once, with the same values.
 */
class CrashRecoveryTest {

    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz");
    private static final Instant UNTIL = LocalDate.parse("2010-12-15").atStartOfDay(ZoneId.of("Europe/London"))
            .toInstant();
    private static final int KILLS = 5;
    /** Two partitions; a short session timeout so that a killed member's partitions move on within seconds. */
    private static final String[] SETTINGS = {"bucket", "day", "grace", "1 bucket", "topic.partitions", "2",
        "processing.guarantee", "exactly_once_v2", "wallclock.close.interval", "PT2S",
        "streams.session.timeout.ms", "6000", "streams.heartbeat.interval.ms", "1500"};

    private final Cluster cluster = Cluster.shared();

    /** What the app committed: each (series, bucket) with every record made for it. */
    record Outputs(Map<String, List<Double>> actuals, Map<String, List<String>> forecasts) {
    }

    @Test
    void fiveSigkillsDuringAReplayLeaveTheOutputsEqualToThoseOfAnUninterruptedRun(@TempDir Path dir)
            throws Exception {
        List<OrderEvent> orders = new ArrayList<>();
        try (OrderLinesFile file = OrderLinesFile.open(DATA, ZoneId.of("Europe/London"))) {
            while (file.hasNext()) {
                OrderEvent o = file.next();
                if (o.getEventTime().isBefore(UNTIL)) {
                    orders.add(o);
                }
            }
        }

        AppConfig reference = cluster.config(dir.resolve("reference"), SETTINGS);
        Outputs expected;
        try (ForecasterApp app = ForecasterApp.start(reference, ForecasterApp.NO_LOADER, Duration.ofSeconds(30))) {
            Cluster.await("the reference app to run", Duration.ofSeconds(60),
                    () -> app.health().state().equals("RUNNING"));
            send(reference, orders);
            expected = settle(reference, () -> app.metrics().recordsIn() >= orders.size(), -1);
        }
        assertThat(expected.actuals()).hasSizeGreaterThan(1_000);

        Map<String, String> props = cluster.properties(dir.resolve("crashing"), SETTINGS);
        AppConfig crashing = AppConfig.from(props, Map.of());
        Path configFile = dir.resolve("crashing.properties");
        Properties p = new Properties();
        p.putAll(props);
        try (Writer w = Files.newBufferedWriter(configFile)) {
            p.store(w, "CrashRecoveryTest");
        }
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int chunk = (orders.size() + KILLS) / (KILLS + 1);
        for (int run = 0; run <= KILLS; run++) {
            Path log = dir.resolve("run-" + run + ".log");
            Process child = startChild(configFile, log);
            try {
                Cluster.await("run " + run + " to process (log " + log + ")", Duration.ofSeconds(90),
                        () -> read(log).contains("stream state REBALANCING -> RUNNING") || !child.isAlive());
                assertThat(child.isAlive()).as("run %d died at start: %s", run, read(log)).isTrue();
                send(crashing, orders.subList(run * chunk, Math.min(orders.size(), (run + 1) * chunk)));
                if (run < KILLS) {
                    Thread.sleep(200 + random.nextInt(2_500));
                    child.destroyForcibly().waitFor();
                } else {
                    Outputs actual = settle(crashing, () -> true, expected.actuals().size());
                    assertThat(actual.actuals()).as("actuals after %d SIGKILLs (seed %d)", KILLS, seed)
                            .isEqualTo(expected.actuals());
                    assertThat(actual.forecasts()).as("forecasts after %d SIGKILLs (seed %d)", KILLS, seed)
                            .isEqualTo(expected.forecasts());
                }
            } finally {
                child.destroy();
                child.waitFor();
            }
        }
    }

    private static Process startChild(Path configFile, Path log) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.demandcast.app.cli.ForecasterCli",
                "run", "--config", configFile.toString(), "--connect-timeout", "30");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void send(AppConfig config, List<OrderEvent> orders) {
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()),
                new StringSerializer(), serdes.forValue(OrderEvent.class).serializer())) {
            for (OrderEvent o : orders) {
                producer.send(new ProducerRecord<>(config.topicNames().orders(), null,
                        o.getEventTime().toEpochMilli(), o.getOrderId(), o));
            }
        }
    }

    /**
     * What the app committed once it is done: {@code done} holds and nothing new was committed for 8 s, and at
     * least {@code minActuals} (series, bucket) actuals are there (-1: no minimum).
     */
    private static Outputs settle(AppConfig config, Supplier<Boolean> done, int minActuals) throws Exception {
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (var a = new TopicReader<>(config.bootstrapServers(), config.topicNames().salesActuals(),
                Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer());
             var f = new TopicReader<>(config.bootstrapServers(), config.topicNames().forecasts(),
                     Serdes.String().deserializer(), serdes.forValue(Forecast.class).deserializer())) {
            long[] last = {-1, System.nanoTime()};
            Cluster.await("the outputs to settle", Duration.ofSeconds(180), () -> {
                int n = a.drain() + f.drain();
                if (n != last[0]) {
                    last[0] = n;
                    last[1] = System.nanoTime();
                }
                return done.get() && a.records.size() >= minActuals
                        && System.nanoTime() - last[1] > Duration.ofSeconds(8).toNanos();
            });
            Map<String, List<Double>> actuals = new TreeMap<>();
            for (SalesBucket b : a.values()) {
                actuals.computeIfAbsent(b.getSeries() + "@" + b.getBucketStart(), k -> new ArrayList<>())
                        .add(b.getUnits());
            }
            Map<String, List<String>> forecasts = new TreeMap<>();
            for (Forecast fc : f.values()) {
                // All but producedAt, the wall-clock time of the close.
                forecasts.computeIfAbsent(fc.getSeries() + "@" + fc.getLastObservedBucket(), k -> new ArrayList<>())
                        .add(fc.getSteps() + " " + fc.getModelVersion() + " " + fc.getMethod());
            }
            return new Outputs(actuals, forecasts);
        }
    }
}
