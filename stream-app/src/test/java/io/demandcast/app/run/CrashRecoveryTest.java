package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.replay.OrderLinesFile;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    static final String[] SETTINGS = {"bucket", "day", "grace", "1 bucket", "topic.partitions", "2",
        "processing.guarantee", "exactly_once_v2", "wallclock.close.interval", "PT2S",
        "streams.session.timeout.ms", "6000", "streams.heartbeat.interval.ms", "1500"};

    private final Cluster cluster = Cluster.shared();

    /** What the app committed: each (series, bucket) with every record made for it. */
    record Outputs(Map<String, List<Double>> actuals, Map<String, List<String>> forecasts) {
    }

    @Test
    void fiveSigkillsDuringAReplayLeaveTheOutputsEqualToThoseOfAnUninterruptedRun(@TempDir Path dir)
            throws Exception {
        List<OrderEvent> orders = twoWeeksOfOrders();

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
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int chunk = (orders.size() + KILLS) / (KILLS + 1);
        for (int run = 0; run <= KILLS; run++) {
            try (ChildApp child = ChildApp.start(props, configFile, dir.resolve("run-" + run + ".log"))) {
                child.awaitRunning(Duration.ofSeconds(90));
                send(crashing, orders.subList(run * chunk, Math.min(orders.size(), (run + 1) * chunk)));
                if (run < KILLS) {
                    Thread.sleep(200 + random.nextInt(2_500));
                    child.kill();
                } else {
                    Outputs actual = settle(crashing, () -> true, expected.actuals().size());
                    assertThat(actual.actuals()).as("actuals after %d SIGKILLs (seed %d)", KILLS, seed)
                            .isEqualTo(expected.actuals());
                    assertThat(actual.forecasts()).as("forecasts after %d SIGKILLs (seed %d)", KILLS, seed)
                            .isEqualTo(expected.forecasts());
                }
            }
        }
    }

    /** The orders of the first two weeks of Online Retail, as {@code produce} reads them. */
    static List<OrderEvent> twoWeeksOfOrders() throws IOException {
        List<OrderEvent> orders = new ArrayList<>();
        try (OrderLinesFile file = OrderLinesFile.open(DATA, ZoneId.of("Europe/London"))) {
            while (file.hasNext()) {
                OrderEvent o = file.next();
                if (o.getEventTime().isBefore(UNTIL)) {
                    orders.add(o);
                }
            }
        }
        return orders;
    }

    static void send(AppConfig config, List<OrderEvent> orders) {
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
    static Outputs settle(AppConfig config, Supplier<Boolean> done, int minActuals) throws Exception {
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (var a = new TopicReader<>(config.bootstrapServers(), config.topicNames().salesActuals(),
                Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer());
             var f = new TopicReader<>(config.bootstrapServers(), config.topicNames().forecasts(),
                     Serdes.String().deserializer(), serdes.forValue(Forecast.class).deserializer())) {
            long[] last = {-1, System.nanoTime()};
            try {
                Cluster.await("the outputs to settle", Duration.ofSeconds(180), () -> {
                    int n = a.drain() + f.drain();
                    if (n != last[0]) {
                        last[0] = n;
                        last[1] = System.nanoTime();
                    }
                    // At least one actual: under load the first commit can come more than 8 s after the last input.
                    return done.get() && a.records.size() >= Math.max(1, minActuals)
                            && System.nanoTime() - last[1] > Duration.ofSeconds(8).toNanos();
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + a.records.size() + " actuals and "
                        + f.records.size() + " forecasts committed, at least " + minActuals + " actuals expected", e);
            }
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
