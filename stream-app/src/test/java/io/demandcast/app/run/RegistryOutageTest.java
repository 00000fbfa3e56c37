package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.demandcast.app.config.AppConfig;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SchemaRegistryClient;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema registry goes away (its connections cut, on the real registry) while orders arrive written with a
 * schema version the app has not cached yet. They used to be dead-lettered as undecodable after the registry
 * client's retries, and never counted; now the intake waits for the registry and counts them once it is back.
 */
class RegistryOutageTest {

    private static final Instant DAY1 = Instant.parse("2011-01-03T10:00:00Z");

    @Test
    void ordersOfAnUncachedSchemaVersionWaitForTheRegistryInsteadOfGoingToTheDeadLetters(@TempDir Path state)
            throws Exception {
        Cluster cluster = Cluster.shared();
        URI registry = URI.create(cluster.registry.url());
        try (TcpRelay relay = new TcpRelay(registry.getHost(), registry.getPort())) {
            String relayed = "http://127.0.0.1:" + relay.port() + registry.getRawPath();
            AppConfig config = cluster.config(state, "schema.registry.url", relayed, "topic.partitions", "1",
                    "grace", "PT1H", "wallclock.close.interval", "PT2S", "processing.guarantee", "exactly_once_v2");
            String orders = config.topicNames().orders();
            SerdeConfig direct = SerdeConfig.of(cluster.registry.url());
            AvroSerdes serdes = new AvroSerdes(direct);
            try (ForecasterApp app = ForecasterApp.start(config, ForecasterApp.NO_LOADER, Duration.ofSeconds(30));
                 KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()),
                         new StringSerializer(), serdes.forValue(OrderEvent.class).serializer());
                 KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()),
                         new StringSerializer(), new ByteArraySerializer())) {
                Cluster.await("the app to run", Duration.ofSeconds(60), () -> app.health().state().equals("RUNNING"));
                producer.send(new ProducerRecord<>(orders, "o1", sale("o1", DAY1, 2)));
                producer.send(new ProducerRecord<>(orders, "o2", sale("o2", DAY1.plusSeconds(60), 2)));
                producer.flush();
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", config.bootstrapServers()))) {
                    TopicPartition p0 = new TopicPartition(orders, 0);
                    Cluster.await("the app to commit the first orders", Duration.ofSeconds(60), () -> {
                        try {
                            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(config.applicationId())
                                    .partitionsToOffsetAndMetadata().get().get(p0);
                            return committed != null && committed.offset() >= 2;
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }

                // A newer, compatible version of the order schema, registered while the registry is up.
                Schema v2 = withNote(OrderEvent.getClassSchema());
                int v2Id = new SchemaRegistryClient(direct).register(orders + "-value", v2);
                relay.cut();
                raw.send(new ProducerRecord<>(orders, "o3", encode(v2, v2Id, "o3", DAY1.plus(Duration.ofDays(1)), 3)));
                raw.send(new ProducerRecord<>(orders, "o4", encode(v2, v2Id, "o4", DAY1.plus(Duration.ofDays(2)), 1)));
                raw.flush();
                try (var actuals = new TopicReader<>(config.bootstrapServers(), config.topicNames().salesActuals(),
                        Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer());
                     var letters = new TopicReader<>(config.bootstrapServers(), config.topicNames().ordersDlq(),
                             Serdes.ByteArray().deserializer(), serdes.forValue(DeadLetter.class).deserializer())) {
                    Cluster.await("the intake to find the registry unavailable", Duration.ofSeconds(120),
                            () -> app.metrics().registryUnavailableCount() >= 1 || app.failed());
                    // Before, the orders went to the dead letters as soon as the registry client gave up.
                    Thread.sleep(5_000);
                    letters.drain();
                    assertThat(letters.values()).isEmpty();
                    relay.restore();

                    Cluster.await("days 1 and 2 to close", Duration.ofSeconds(120),
                            () -> actuals.drain() >= 2 || app.failed());
                    letters.drain();
                    assertThat(app.failed()).isFalse();
                    assertThat(letters.values()).isEmpty();
                    assertThat(actuals.values()).extracting(SalesBucket::getBucketStart, SalesBucket::getUnits)
                            .containsExactly(tuple(Instant.parse("2011-01-03T00:00:00Z"), 4.0),
                                    tuple(Instant.parse("2011-01-04T00:00:00Z"), 3.0));
                }
            }
        }
    }

    private static OrderEvent sale(String id, Instant time, double units) {
        return OrderEvent.newBuilder().setOrderId(id).setEventTime(time).setType(OrderType.SALE)
                .setLines(List.of(new OrderLine("A", units, 1.0))).build();
    }

    /** The order schema with one more optional field on the order and on its lines: what a newer producer writes. */
    private static Schema withNote(Schema order) {
        Schema line = order.getField("lines").schema().getElementType();
        Schema newLine = Schema.createRecord(line.getName(), line.getDoc(), line.getNamespace(), false,
                fieldsPlusNote(line, null));
        return Schema.createRecord(order.getName(), order.getDoc(), order.getNamespace(), false,
                fieldsPlusNote(order, Schema.createArray(newLine)));
    }

    private static List<Schema.Field> fieldsPlusNote(Schema record, Schema linesSchema) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            Schema s = f.name().equals("lines") && linesSchema != null ? linesSchema : f.schema();
            fields.add(new Schema.Field(f.name(), s, f.doc(), f.defaultVal()));
        }
        fields.add(new Schema.Field("note", Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), "added in version 2", Schema.Field.NULL_DEFAULT_VALUE));
        return fields;
    }

    /** The order in the Confluent wire format under schema id {@code id}, written with {@code schema}. */
    private static byte[] encode(Schema schema, int id, String orderId, Instant time, double units)
            throws IOException {
        Schema lineSchema = schema.getField("lines").schema().getElementType();
        GenericRecord line = new GenericData.Record(lineSchema);
        line.put("productId", "A");
        line.put("quantity", units);
        line.put("unitPrice", 1.0);
        GenericRecord order = new GenericData.Record(schema);
        order.put("orderId", orderId);
        order.put("eventTime", time.toEpochMilli());
        order.put("type", new GenericData.EnumSymbol(schema.getField("type").schema(), "SALE"));
        order.put("lines", List.of(line));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream header = new DataOutputStream(bytes);
        header.writeByte(0);
        header.writeInt(id);
        header.flush();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(schema).write(order, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }
}
