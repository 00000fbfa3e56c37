package io.demandcast.app.tail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.demandcast.app.run.Cluster;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.testkit.KafkaBroker;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code forecaster tail} on the real broker and registry. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TailCommandTest {

    private final Cluster cluster = Cluster.shared();
    private final ObjectMapper json = new ObjectMapper();
    private String topic;

    private static Forecast forecast(String series, double p50) {
        return Forecast.newBuilder().setSeries(series)
                .setLastObservedBucket(Instant.parse("2010-12-01T00:00:00Z"))
                .setSteps(List.of(new ForecastStep(Instant.parse("2010-12-02T00:00:00Z"), 0.0, p50, p50 * 2)))
                .setModelVersion("v1").setMethod("lstm").setProducedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .build();
    }

    /** Three committed forecasts, and one in an aborted transaction that read_committed must not show. */
    @BeforeAll
    void writeForecasts(@TempDir Path state) {
        topic = KafkaBroker.uniqueTopic("tail");
        cluster.broker.createTopics(1, topic);
        var config = cluster.config(state);
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-writer");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(),
                serdes.forValue(Forecast.class).serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String s : List.of("A", "B", "C")) {
                producer.send(new ProducerRecord<>(topic, s, forecast(s, 1.5)));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "ABORTED", forecast("ABORTED", 9)));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private Cluster.Run tail(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("tail", "--topic", topic, "--bootstrap-servers",
                cluster.broker.bootstrapServers(), "--schema-registry-url", cluster.registry.url()));
        args.addAll(List.of(options));
        return Cluster.cli(args.toArray(String[]::new));
    }

    @Test
    void printsJsonLinesDecodedThroughTheRegistryAndStopsAfterMax() throws Exception {
        Cluster.Run run = tail("--from-beginning", "--max", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("topic").asText()).isEqualTo(topic);
        assertThat(first.get("offset").asLong()).isZero();
        assertThat(first.get("key").asText()).isEqualTo("A");
        JsonNode value = first.get("value");
        assertThat(value.get("series").asText()).isEqualTo("A");
        assertThat(value.get("lastObservedBucket").asText()).isEqualTo("2010-12-01T00:00:00Z");
        assertThat(value.get("steps").get(0).get("p90").asDouble()).isEqualTo(3.0);
        assertThat(json.readTree(lines.get(1)).get("key").asText()).isEqualTo("B");
    }

    @Test
    void stopsWhenIdleAndShowsOnlyCommittedRecords() {
        long t0 = System.nanoTime();
        Cluster.Run run = tail("--from-beginning", "--idle-timeout", "1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().map(l -> {
            try {
                return json.readTree(l).get("key").asText();
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + l, e);
            }
        })).containsExactly("A", "B", "C");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(20);
    }

    @Test
    void anUnknownTopicFailsWithAMessage() {
        Cluster.Run run = Cluster.cli("tail", "--topic", "no-such-topic-" + System.nanoTime(),
                "--bootstrap-servers", cluster.broker.bootstrapServers(), "--schema-registry-url",
                cluster.registry.url(), "--idle-timeout", "1");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no topic no-such-topic-");
    }

    @Test
    void theAppsTopicNamesMapToTheConfiguredOnes() {
        var names = new io.demandcast.schemas.Topics.Names("o", "d", "i", "a", "f", "r", "m");
        assertThat(TailCommand.resolve("forecasts", names)).isEqualTo("f");
        assertThat(TailCommand.resolve("orders-dlq", names)).isEqualTo("d");
        assertThat(TailCommand.resolve("some-other-topic", names)).isEqualTo("some-other-topic");
    }
}
