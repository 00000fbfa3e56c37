package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** Bad input and an unreachable registry end in a SerializationException that names the topic and the cause. */
class SerdeFailureTest {

    private static final String URL = RegistryServer.shared().url();
    private static final AvroSerdes SERDES = new AvroSerdes(SerdeConfig.of(URL));

    private final String topic = KafkaBroker.uniqueTopic("orders");
    private final Deserializer<OrderEvent> orders = SERDES.forValue(OrderEvent.class).deserializer();

    @Test
    void bytesWithoutTheMagicByteAreRefusedWithWhatCame() {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> orders.deserialize(topic, garbage))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("magic byte 0")
                .hasMessageContaining("15 byte(s) starting with 0x6e6f74206176726f...");
    }

    @Test
    void valuesShorterThanTheHeaderAreRefused() {
        assertThatThrownBy(() -> orders.deserialize(topic, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("got 3 byte(s)");
        assertThatThrownBy(() -> orders.deserialize(topic, new byte[0]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("got 0 byte(s) starting with nothing");
    }

    @Test
    void anUnknownSchemaIdIsRefusedWithTheRegistrysAnswer() {
        byte[] unknownId = {0, 0x3a, (byte) 0xde, 0x68, (byte) 0xb1, 2, 'x'};

        assertThatThrownBy(() -> orders.deserialize(topic, unknownId))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("unknown schema id 987654321")
                .hasMessageContaining("HTTP 404")
                .hasCauseInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void truncatedAvroDataIsRefusedNamingTheSchemaId() {
        byte[] whole = SERDES.forValue(OrderEvent.class).serializer().serialize(topic, SampleRecords.order());
        byte[] truncated = Arrays.copyOf(whole, whole.length - 9);

        assertThatThrownBy(() -> orders.deserialize(topic, truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("schema id " + WireBytes.idOf(whole))
                .hasMessageContaining("do not decode");
    }

    @Test
    void aValueOfAnotherRecordTypeIsRefusedNamingBoth() {
        byte[] order = SERDES.forValue(OrderEvent.class).serializer().serialize(topic, SampleRecords.order());

        assertThatThrownBy(() -> SERDES.forValue(SalesBucket.class).deserializer().deserialize(topic, order))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("describes io.demandcast.schemas.avro.OrderEvent")
                .hasMessageContaining("expected io.demandcast.schemas.avro.SalesBucket");
    }

    @Test
    void withoutAutoRegistrationAnUnregisteredSchemaIsRefusedWithAHint() {
        AvroSerdes lookupOnly = new AvroSerdes(SerdeConfig.of(URL).withAutoRegister(false));

        assertThatThrownBy(() -> lookupOnly.forValue(OrderEvent.class).serializer()
                .serialize(topic, SampleRecords.order()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("auto.register.schemas is false");
    }

    @Test
    void withoutAutoRegistrationARegisteredSchemaIsLookedUpByItsId() {
        int id = WireBytes.register(URL, topic + "-value", OrderEvent.getClassSchema());
        AvroSerdes lookupOnly = new AvroSerdes(SerdeConfig.of(URL).withAutoRegister(false));

        byte[] bytes = lookupOnly.forValue(OrderEvent.class).serializer().serialize(topic, SampleRecords.order());

        assertThat(WireBytes.idOf(bytes)).isEqualTo(id);
        assertThat(orders.deserialize(topic, bytes)).isEqualTo(SampleRecords.order());
    }

    @Test
    void aRegistryThatIsDownFailsBothWaysAfterABoundedWait() throws IOException {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        SerdeConfig config = SerdeConfig.fromProperties(Map.of(
                SerdeConfig.URL, "http://127.0.0.1:" + closedPort + "/apis/ccompat/v7",
                SerdeConfig.RETRY_BACKOFF_MS, "50",
                SerdeConfig.RETRY_MAX_WAIT_MS, "1000"));
        AvroSerdes down = new AvroSerdes(config);

        long started = System.nanoTime();
        assertThatThrownBy(() -> down.forValue(OrderEvent.class).serializer().serialize(topic, SampleRecords.order()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageContaining("did not answer successfully")
                .hasMessageContaining("within 1000 ms")
                .hasMessageFindingMatch("in ([2-9]|\\d{2,}) attempt\\(s\\)")
                .hasMessageContaining("ConnectException");
        assertThatThrownBy(() -> down.forValue(OrderEvent.class).deserializer()
                .deserialize(topic, new byte[] {0, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("cannot resolve schema id 1")
                .hasMessageContaining("did not answer successfully");
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        // Each call retried for most of its 1 s budget (the last pause would overrun it), and no call waited longer.
        assertThat(waited).isBetween(Duration.ofMillis(1000), Duration.ofSeconds(10));
    }
}
