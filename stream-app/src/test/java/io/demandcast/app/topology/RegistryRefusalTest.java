package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schema registry that refuses the app's credentials (HTTP 401 or 403: a rotated password, a revoked user) says
 * nothing about the record: the intake waits for it as for a registry outage, and never dead-letters a valid order
 * for it.
 */
class RegistryRefusalTest {

    private static final int SCHEMA_ID = 7;
    private static final int REFUSALS = 3;

    @TempDir
    Path state;

    @Test
    void anOrderWhoseSchemaTheRegistryRefusesToServeWaitsInsteadOfGoingToTheDeadLetters() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        HttpServer registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        registry.createContext("/", exchange -> {
            if (exchange.getRequestMethod().equals("POST")) {
                // The app registering the schema of what it writes (a dead letter, say): granted.
                exchange.getRequestBody().readAllBytes();
                answer(exchange, 200, "{\"id\":8}");
            } else if (calls.incrementAndGet() <= REFUSALS) {
                answer(exchange, calls.get() % 2 == 1 ? 401 : 403,
                        "{\"error_code\":401,\"message\":\"Unauthorized\"}");
            } else {
                String schema = OrderEvent.getClassSchema().toString().replace("\\", "\\\\").replace("\"", "\\\"");
                answer(exchange, 200, "{\"schema\":\"" + schema + "\"}");
            }
        });
        registry.start();
        AppConfig config = AppConfig.from(Map.of("state.dir", state.toString(),
                "schema.registry.url", "http://127.0.0.1:" + registry.getAddress().getPort()), Map.of());
        Topics topics = new Topics(config.topicNames(), new AvroSerdes(SerdeConfig.of(config.schemaRegistryUrl())));
        PipelineMetrics metrics = new PipelineMetrics();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                ForecastTopology.build(config, topics, ModelHandle.none(), metrics), config.streamsProperties(),
                PipelineDriver.WALL_CLOCK)) {
            TestOutputTopic<byte[], DeadLetter> deadLetters = driver.createOutputTopic(topics.ordersDlq().name(),
                    Serdes.ByteArray().deserializer(), topics.ordersDlq().valueSerde().deserializer());
            OrderEvent order = OrderEvent.newBuilder().setOrderId("o1")
                    .setEventTime(Instant.parse("2011-01-03T10:00:00Z")).setType(OrderType.SALE)
                    .setLines(List.of(new OrderLine("A", 2.0, 1.0))).build();

            driver.createInputTopic(topics.orders().name(), Serdes.String().serializer(),
                    Serdes.ByteArray().serializer()).pipeInput("o1", wireFormat(order));

            assertThat(deadLetters.readValuesToList()).as("dead letters").isEmpty();
            assertThat(calls.get()).as("registry calls: refused %d times, then served", REFUSALS)
                    .isEqualTo(REFUSALS + 1);
            assertThat(metrics.registryUnavailableCount()).isEqualTo(REFUSALS);
        } finally {
            registry.stop(0);
        }
    }

    private static byte[] wireFormat(OrderEvent order) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(SCHEMA_ID).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(OrderEvent.class).write(order, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
