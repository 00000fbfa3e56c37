package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandcast.app.alerts.InventoryCheck;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.metrics.PrometheusScrape;
import io.demandcast.app.replay.OrderLinesFile;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.RestockState;
import io.demandcast.schemas.registry.AvroSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restock alerts on the real broker and registry: stock levels sent with {@code produce --inventory} (half the
 * products with nothing in stock, half with more than they can ever sell), then the first week of Online Retail
 * replayed with {@code produce}. Every low product gets one RAISED alert, made from its first forecast, and keeps
 * it through the week's closes without another record; no high product gets any. Raising two low products' stock
 * clears their alerts; REST and the counters say the same. Bad levels go to {@code orders-dlq} with their reason
 * and the app goes on.
 */
class RestockAlertsTest {

    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz");
    private static final ZoneId SHOP = ZoneId.of("Europe/London");
    private static final LocalDate FIRST_DAY = LocalDate.parse("2010-12-01");
    private static final LocalDate UNTIL = LocalDate.parse("2010-12-08");
    private static final int PRODUCTS = 20;

    @Test
    void lowProductsAreAlertedFromTheirFirstForecastHighOnesNeverAndMoreStockClearsTheAlert(@TempDir Path dir)
            throws Exception {
        List<String> products = soldOnTheFirstDay(PRODUCTS);
        List<String> low = products.subList(0, PRODUCTS / 2);
        List<String> high = products.subList(PRODUCTS / 2, PRODUCTS);
        Instant firstClose = FIRST_DAY.atStartOfDay(ZoneOffset.UTC).toInstant();

        Cluster cluster = Cluster.shared();
        AppConfig config = cluster.config(dir.resolve("state"), "bucket", "day", "grace", "1 bucket",
                "topic.partitions", "3", "processing.guarantee", "exactly_once_v2",
                "commit.interval.ms", "1000", "transaction.timeout.ms", "60000");
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (ForecasterApp app = ForecasterApp.start(config, ForecasterApp.NO_LOADER, Duration.ofSeconds(30));
             var alerts = new TopicReader<>(config.bootstrapServers(), config.topicNames().restockAlerts(),
                     Serdes.String().deserializer(), serdes.forValue(RestockAlert.class).deserializer());
             var letters = new TopicReader<>(config.bootstrapServers(), config.topicNames().ordersDlq(),
                     Serdes.ByteArray().deserializer(), serdes.forValue(DeadLetter.class).deserializer())) {
            Cluster.await("the app to run", Duration.ofSeconds(60), () -> app.health().state().equals("RUNNING"));

            // Stock levels first: lead time 3 days at service level 0.9; bad rows go along, to be dead-lettered.
            StringBuilder csv = new StringBuilder("product_id,on_hand,on_order,lead_time_buckets,service_level\n");
            low.forEach(p -> csv.append(p).append(",0,0,3,0.9\n"));
            high.forEach(p -> csv.append(p).append(",1000000000,0,3,0.9\n"));
            csv.append("BAD1,-5,0,3,0.9\n").append("BAD2,10,0,3,1.5\n").append("BAD3,10,0,0,0.9\n")
                    .append("BAD4,10,0,15,0.9\n");
            Path stock = Files.writeString(dir.resolve("stock.csv"), csv);
            Cluster.Run sent = Cluster.cli("produce", "--inventory", stock.toString(), "--bootstrap-servers",
                    config.bootstrapServers(), "--schema-registry-url", config.schemaRegistryUrl(), "--topic",
                    config.topicNames().inventory());
            assertThat(sent.exitCode()).as(sent.err()).isZero();
            assertThat(sent.out()).contains("Sent " + (PRODUCTS + 4) + " stock levels");
            // Garbage bytes last in every partition: once their dead letters are out, every level before them
            // has been read.
            try (var raw = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    config.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int p = 0; p < 3; p++) {
                    raw.send(new ProducerRecord<>(config.topicNames().inventory(), p,
                            ("GARBAGE" + p).getBytes(StandardCharsets.UTF_8),
                            "not avro".getBytes(StandardCharsets.UTF_8)));
                }
            }
            Cluster.await("the bad levels' dead letters", Duration.ofSeconds(60), () -> letters.drain() >= 7);
            Map<String, String> reasons = letters.values().stream().collect(Collectors.toMap(
                    d -> d.getDetail().toString().replaceAll(".*product (BAD\\d).*", "$1")
                            .replaceAll("(?s).*GARBAGE.*|.*not an InventoryLevel.*", "garbage"),
                    d -> d.getReason().toString(), (a, b) -> a + "," + b, TreeMap::new));
            assertThat(reasons).containsEntry("BAD1", InventoryCheck.BAD_STOCK)
                    .containsEntry("BAD2", InventoryCheck.BAD_SERVICE_LEVEL)
                    .containsEntry("BAD3", InventoryCheck.BAD_LEAD_TIME)
                    .containsEntry("BAD4", InventoryCheck.BAD_LEAD_TIME)
                    .containsEntry("garbage", String.join(",", List.of(Rejection.DESERIALIZATION,
                            Rejection.DESERIALIZATION, Rejection.DESERIALIZATION)));
            assertThat(letters.values()).filteredOn(d -> d.getDetail().toString().contains("BAD4"))
                    .singleElement().satisfies(d -> assertThat(d.getDetail().toString()).contains("horizon"));
            assertThat(letters.values()).allSatisfy(d ->
                    assertThat(d.getTopic().toString()).isEqualTo(config.topicNames().inventory()));

            // The week of orders: every product forecast at every close from its first day on.
            Cluster.Run produced = Cluster.cli("produce", "--data", DATA.toString(), "--to", UNTIL.toString(),
                    "--bootstrap-servers", config.bootstrapServers(), "--schema-registry-url",
                    config.schemaRegistryUrl(), "--topic", config.topicNames().orders(), "--no-progress");
            assertThat(produced.exitCode()).as(produced.err()).isZero();
            Cluster.await("an alert for every low product", Duration.ofSeconds(180),
                    () -> alerts.drain() >= low.size() && app.metrics().bucketsClosed() > 0 || app.failed());
            // The days after the first close while the stock stays as it is: no further record may come.
            awaitSettled(app);
            Thread.sleep(3_000);
            alerts.drain();
            assertThat(app.failed()).isFalse();

            List<RestockAlert> raised = alerts.values();
            assertThat(raised).extracting(a -> a.getProductId().toString()).containsExactlyInAnyOrderElementsOf(low);
            assertThat(raised).allSatisfy(a -> {
                assertThat(a.getState()).isEqualTo(RestockState.RAISED);
                assertThat(a.getForecastLastObservedBucket()).as("made from the first forecast of " + a.getProductId())
                        .isEqualTo(firstClose);
                assertThat(a.getDemandOverLeadTimeAtServiceLevel()).isPositive();
                assertThat(a.getSuggestedOrder()).isGreaterThanOrEqualTo(a.getDemandOverLeadTimeAtServiceLevel());
                assertThat(a.getStockoutEstimate()).isEqualTo(firstClose.plus(Duration.ofDays(1)));
                assertThat(a.getLeadTimeBuckets()).isEqualTo(3);
            });
            assertThat(app.metrics().restockRaisedCount()).isEqualTo(low.size());

            // More stock for two low products: their alerts clear; the others stay raised.
            List<String> restocked = low.subList(0, 2);
            Path more = Files.writeString(dir.resolve("more.csv"), "product_id,on_hand,on_order,lead_time_buckets,"
                    + "service_level\n" + restocked.stream().map(p -> p + ",500000,1000,3,0.9\n")
                    .collect(Collectors.joining()));
            Cluster.Run again = Cluster.cli("produce", "--inventory", more.toString(), "--bootstrap-servers",
                    config.bootstrapServers(), "--schema-registry-url", config.schemaRegistryUrl(), "--topic",
                    config.topicNames().inventory());
            assertThat(again.exitCode()).as(again.err()).isZero();
            Cluster.await("two cleared alerts", Duration.ofSeconds(60),
                    () -> alerts.drain() >= low.size() + 2 || app.failed());
            Thread.sleep(2_000);
            alerts.drain();
            List<RestockAlert> cleared = alerts.values().subList(low.size(), alerts.values().size());
            assertThat(cleared).extracting(a -> a.getProductId().toString())
                    .containsExactlyInAnyOrderElementsOf(restocked);
            assertThat(cleared).allSatisfy(a -> {
                assertThat(a.getState()).isEqualTo(RestockState.CLEARED);
                assertThat(a.getSuggestedOrder()).isZero();
                assertThat(a.getOnOrder()).isEqualTo(1000.0);
            });
            assertThat(app.metrics().restockClearedCount()).isEqualTo(2);

            // REST: the latest state of each product, wherever it is held.
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            int port = app.restAddress().getPort();
            JsonNode clearedState = json.readTree(get(http, port, "/restock/" + restocked.get(0), 200));
            assertThat(clearedState.get("state").asText()).isEqualTo("CLEARED");
            JsonNode raisedState = json.readTree(get(http, port, "/restock/" + low.get(5), 200));
            assertThat(raisedState.get("state").asText()).isEqualTo("RAISED");
            JsonNode highState = json.readTree(get(http, port, "/restock/" + high.get(0), 200));
            assertThat(highState.get("state").asText()).isEqualTo("CLEARED");
            get(http, port, "/restock/NO-SUCH-PRODUCT", 404);
            PrometheusScrape metrics = PrometheusScrape.parse(get(http, port, "/metrics", 200));
            assertThat(metrics.value("demandcast_restock_alerts_raised_total")).hasValue(low.size());
            assertThat(metrics.value("demandcast_restock_alerts_cleared_total")).hasValue(2);
            assertThat(metrics.value("demandcast_dead_letters_total{reason=\"bad-lead-time\"}")).hasValue(2);

            // tail prints the alerts, decoded with the writer's schema.
            Cluster.Run tail = Cluster.cli("tail", "--topic", config.topicNames().restockAlerts(),
                    "--from-beginning", "--max", Integer.toString(low.size() + 2), "--idle-timeout", "20",
                    "--bootstrap-servers", config.bootstrapServers(), "--schema-registry-url",
                    config.schemaRegistryUrl());
            assertThat(tail.exitCode()).as(tail.err()).isZero();
            assertThat(tail.out().lines().filter(l -> l.contains("\"state\":\"RAISED\""))).hasSize(low.size());
            assertThat(tail.out().lines().filter(l -> l.contains("\"state\":\"CLEARED\""))).hasSize(2);
        }
    }

    /** Waits until the app has published no forecast for five seconds: the replay's closes are done. */
    private static void awaitSettled(ForecasterApp app) throws InterruptedException {
        long[] last = {-1, System.nanoTime()};
        Cluster.await("the replay's closes", Duration.ofSeconds(180), () -> {
            long made = app.metrics().forecastsPublished();
            if (made != last[0]) {
                last[0] = made;
                last[1] = System.nanoTime();
            }
            return made > 0 && System.nanoTime() - last[1] > Duration.ofSeconds(5).toNanos() || app.failed();
        });
    }

    private static String get(HttpClient http, int port, String path, int status) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
        return r.body();
    }

    /** Products with positive net sales on the file's first day, most units first. */
    private static List<String> soldOnTheFirstDay(int n) throws Exception {
        Map<String, Double> units = new TreeMap<>();
        try (OrderLinesFile file = OrderLinesFile.open(DATA, SHOP)) {
            while (file.hasNext()) {
                OrderEvent order = file.next();
                if (!order.getEventTime().atZone(ZoneOffset.UTC).toLocalDate().equals(FIRST_DAY)) {
                    if (order.getEventTime().isAfter(FIRST_DAY.plusDays(1).atStartOfDay(ZoneOffset.UTC)
                            .toInstant())) {
                        break;
                    }
                    continue;
                }
                double sign = order.getType() == OrderType.RETURN ? -1 : 1;
                for (OrderLine line : order.getLines()) {
                    if (line.getQuantity() > 0) {
                        units.merge(line.getProductId().toString(), sign * line.getQuantity(), Double::sum);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>(units.keySet().stream().filter(p -> units.get(p) > 0)
                .sorted((a, b) -> Double.compare(units.get(b), units.get(a))).limit(n).toList());
        assertThat(out).hasSize(n);
        return out;
    }
}
