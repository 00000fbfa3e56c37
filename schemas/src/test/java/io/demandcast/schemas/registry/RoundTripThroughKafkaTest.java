package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.Topics;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every topic value type goes through a real registry and a real broker: written by our serializer in a Kafka
 * transaction, read back committed by our deserializer, equal to what was sent.
 */
class RoundTripThroughKafkaTest {

    static {
        RegistryServer.startInBackground();
    }

    private static final KafkaBroker BROKER = KafkaBroker.shared();
    private static final RegistryServer REGISTRY = RegistryServer.shared();
    private static final AvroSerdes SERDES = new AvroSerdes(SerdeConfig.of(REGISTRY.url()));

    static Stream<SpecificRecord> samples() {
        return SampleRecords.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyTopicValueTypeRoundTripsThroughTheBrokerAndTheRegistry(SpecificRecord sample) {
        String topic = KafkaBroker.uniqueTopic(sample.getSchema().getName().toLowerCase());
        BROKER.createTopics(1, topic);

        List<SpecificRecord> received = roundTrip(topic, sample);

        assertThat(received).containsExactly(sample);
        assertThat(SERDES.registry().compatibility(topic + "-value")).isNotNull();
        int id = SERDES.registry().idOf(topic + "-value", sample.getSchema());
        assertThat(SERDES.registry().schemaById(id)).isEqualTo(sample.getSchema());
    }

    @Test
    void theTopicRegistryGetsItsSerdesFromAvroSerdes() {
        Topics topics = new Topics(Topics.Names.defaults(), SERDES);
        String topic = KafkaBroker.uniqueTopic("forecasts");
        var forecast = SampleRecords.forecast();

        byte[] bytes = topics.forecasts().valueSerde().serializer().serialize(topic, forecast);

        assertThat(bytes[0]).isZero();
        assertThat(topics.forecasts().valueSerde().deserializer().deserialize(topic, bytes)).isEqualTo(forecast);
    }

    @Test
    void nullValuesStayNullForTombstones() {
        Serde<io.demandcast.schemas.avro.InventoryLevel> serde =
                SERDES.forValue(io.demandcast.schemas.avro.InventoryLevel.class);

        assertThat(serde.serializer().serialize("inventory", null)).isNull();
        assertThat(serde.deserializer().deserialize("inventory", null)).isNull();
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> List<SpecificRecord> roundTrip(String topic, T sample) {
        Serde<T> serde = SERDES.forValue((Class<T>) sample.getClass());
        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "round-trip-" + UUID.randomUUID());
        try (KafkaProducer<String, T> producer =
                     new KafkaProducer<>(producerConfig, new StringSerializer(), serde.serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "key", sample));
            producer.commitTransaction();
        }
        Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BROKER.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<SpecificRecord> received = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer =
                     new KafkaConsumer<>(consumerConfig, new StringDeserializer(), serde.deserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(record.value());
                }
            }
        }
        return received;
    }
}
