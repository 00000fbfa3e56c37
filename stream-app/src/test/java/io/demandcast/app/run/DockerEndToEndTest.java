package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SerdeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The end-to-end scenario of {@link StreamingForecasterTest} on the images the product is specified with: Kafka
 * ({@code apache/kafka:4.4.0}), Apicurio Registry ({@code apicurio/apicurio-registry:3.0.9}) and the app built from
 * the repository's {@code Dockerfile}, configured through the environment as {@code docker-compose.yml} does. Two
 * weeks of Online Retail go in through {@code produce}; the daily totals on {@code sales-actuals} must equal the
 * file's own sums and every actual must have its forecast. Skipped where there is no Docker engine; the in-JVM
 * tests cover the same behaviour everywhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerEndToEndTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Network NETWORK = Network.newNetwork();

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.4.0").withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    private static final GenericContainer<?> REGISTRY = new GenericContainer<>("apicurio/apicurio-registry:3.0.9")
            .withNetwork(NETWORK).withNetworkAliases("registry").withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(3)));

    @Container
    private static final GenericContainer<?> APP = new GenericContainer<>(new ImageFromDockerfile(
            "demandcast-e2e", false).withDockerfile(ROOT.resolve("Dockerfile")))
            .withNetwork(NETWORK).withNetworkAliases("app").dependsOn(KAFKA, REGISTRY)
            .withEnv(Map.of("DEMANDCAST_BOOTSTRAP_SERVERS", "kafka:19092",
                    "DEMANDCAST_SCHEMA_REGISTRY_URL", "http://registry:8080/apis/ccompat/v7",
                    "DEMANDCAST_APPLICATION_ID", "demandcast-e2e",
                    "DEMANDCAST_BUCKET", "day",
                    "DEMANDCAST_GRACE", "1 bucket",
                    "DEMANDCAST_REST_HOST", "0.0.0.0",
                    "DEMANDCAST_REST_ADVERTISED_HOST", "app",
                    "DEMANDCAST_REST_PORT", "8080",
                    "DEMANDCAST_TOPIC_REPLICATION_FACTOR", "1"))
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/ready").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));

    @Test
    void twoWeeksOfOrdersThroughTheShippedImagesComeOutAsTheFilesDailyTotalsWithAForecastEach() throws Exception {
        String registryUrl = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080)
                + "/apis/ccompat/v7";
        StreamingForecasterTest.Expected expected = StreamingForecasterTest.readExpected();
        Cluster.Run produced = Cluster.cli("produce", "--data", ROOT.resolve("data/online_retail/order_lines.csv.gz")
                        .toString(), "--to", "2010-12-15", "--bootstrap-servers", KAFKA.getBootstrapServers(),
                "--schema-registry-url", registryUrl, "--topic", "orders", "--no-progress");
        assertThat(produced.exitCode()).as(produced.err()).isZero();

        AvroSerdes serdes = new AvroSerdes(SerdeConfig.of(registryUrl));
        LocalDate lastClosed = LocalDate.parse("2010-12-12");
        Map<LocalDate, Double> totals = new TreeMap<>();
        try (var actuals = new TopicReader<>(KAFKA.getBootstrapServers(), "sales-actuals",
                Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer());
             var forecasts = new TopicReader<>(KAFKA.getBootstrapServers(), "forecasts",
                     Serdes.String().deserializer(), serdes.forValue(Forecast.class).deserializer())) {
            Cluster.await("the closed days on sales-actuals", Duration.ofMinutes(3), () -> {
                actuals.drain();
                forecasts.drain();
                return actuals.values().stream().anyMatch(b -> !LocalDate.ofInstant(b.getBucketStart(),
                        ZoneOffset.UTC).isBefore(lastClosed)) && forecasts.values().size() >= actuals.values().size();
            });
            for (SalesBucket b : actuals.values()) {
                totals.merge(LocalDate.ofInstant(b.getBucketStart(), ZoneOffset.UTC), b.getUnits(), Double::sum);
            }
            assertThat(forecasts.values()).hasSameSizeAs(actuals.values());
        }
        for (LocalDate day = LocalDate.parse("2010-12-01"); !day.isAfter(lastClosed); day = day.plusDays(1)) {
            assertThat(totals.getOrDefault(day, 0.0)).as("net units on %s", day)
                    .isCloseTo(expected.netUnitsByDay().getOrDefault(day, 0.0),
                            org.assertj.core.data.Offset.offset(1e-6));
        }
        HttpResponse<String> forecast = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://" + APP.getHost() + ":" + APP.getMappedPort(8080) + "/forecasts/"
                        + expected.bySeries().values().iterator().next().keySet().iterator().next())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forecast.statusCode()).as("REST from outside the app's container").isEqualTo(200);
    }
}
