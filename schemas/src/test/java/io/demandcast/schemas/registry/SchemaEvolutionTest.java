package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.RestockState;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * Schemas evolve the way the registry's BACKWARD compatibility allows: a new optional field is accepted, and
 * readers on either side of the change read the other's data; an incompatible change is refused at registration
 * with an error that says so.
 */
class SchemaEvolutionTest {

    private static final String URL = RegistryServer.shared().url();
    private static final AvroSerdes SERDES = new AvroSerdes(SerdeConfig.of(URL));

    /** SalesBucket as it will be: a new optional field. */
    private static final Schema NEWER = WireBytes.edit(SalesBucket.getClassSchema(),
            fields -> fields.add(WireBytes.optionalStringField("promotion")));
    /** SalesBucket as it was: before the optional meanPrice field. */
    private static final Schema OLDER = WireBytes.edit(SalesBucket.getClassSchema(),
            fields -> WireBytes.removeField(fields, "meanPrice"));

    @Test
    void todaysReaderReadsDataWrittenWithANewerSchemaThatAddedAnOptionalField() {
        String topic = KafkaBroker.uniqueTopic("sales-actuals");
        String subject = topic + "-value";
        WireBytes.setCompatibility(URL, subject, "BACKWARD");
        Serde<SalesBucket> serde = SERDES.forValue(SalesBucket.class);
        SalesBucket today = SampleRecords.salesBucket();
        byte[] todaysBytes = serde.serializer().serialize(topic, today);

        int newerId = SERDES.registry().register(subject, NEWER);
        GenericRecord newer = copy(today, NEWER);
        newer.put("promotion", "xmas");
        SalesBucket read = serde.deserializer().deserialize(topic, WireBytes.frame(newerId, NEWER, newer));

        assertThat(newerId).isNotEqualTo(WireBytes.idOf(todaysBytes));
        assertThat(read).isEqualTo(today);
    }

    @Test
    void todaysReaderReadsDataWrittenBeforeAnOptionalFieldExistedWithItsDefault() {
        String topic = KafkaBroker.uniqueTopic("sales-actuals");
        String subject = topic + "-value";
        WireBytes.setCompatibility(URL, subject, "BACKWARD");
        int olderId = WireBytes.register(URL, subject, OLDER);
        Serde<SalesBucket> serde = SERDES.forValue(SalesBucket.class);
        SalesBucket today = SampleRecords.salesBucket();

        SalesBucket read = serde.deserializer().deserialize(topic, WireBytes.frame(olderId, OLDER, copy(today, OLDER)));
        // Registering today's schema after the older one is the evolution BACKWARD accepts.
        byte[] todaysBytes = serde.serializer().serialize(topic, today);

        assertThat(read.getMeanPrice()).isNull();
        assertThat(read.getUnits()).isEqualTo(today.getUnits());
        assertThat(read.getSeries()).isEqualTo(today.getSeries());
        assertThat(WireBytes.idOf(todaysBytes)).isNotEqualTo(olderId);
    }

    @Test
    void aRequiredFieldWithoutDefaultIsRefusedByTheRegistryAtRegistration() {
        String topic = KafkaBroker.uniqueTopic("sales-actuals");
        String subject = topic + "-value";
        SERDES.registry().setCompatibility(subject, SchemaRegistryClient.Compatibility.BACKWARD);
        SERDES.forValue(SalesBucket.class).serializer().serialize(topic, SampleRecords.salesBucket());
        Schema incompatible = WireBytes.edit(SalesBucket.getClassSchema(),
                fields -> fields.add(WireBytes.requiredStringField("warehouse")));

        assertThatThrownBy(() -> SERDES.registry().register(subject, incompatible))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.INCOMPATIBLE);
                    assertThat(e.httpStatus()).isEqualTo(409);
                })
                .hasMessageContaining("incompatible")
                .hasMessageContaining(subject)
                .hasMessageContaining("warehouse");
    }

    @Test
    void theSerializerReportsAnIncompatibleSchemaAsASerializationExceptionNamingTheTopic() {
        String topic = KafkaBroker.uniqueTopic("sales-actuals");
        String subject = topic + "-value";
        SERDES.registry().setCompatibility(subject, SchemaRegistryClient.Compatibility.BACKWARD);
        // An earlier version without `units`: today's schema adds it without a default, which BACKWARD refuses.
        WireBytes.register(URL, subject, WireBytes.edit(SalesBucket.getClassSchema(),
                fields -> WireBytes.removeField(fields, "units")));

        assertThatThrownBy(() -> SERDES.forValue(SalesBucket.class).serializer()
                .serialize(topic, SampleRecords.salesBucket()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("incompatible")
                .hasMessageContaining("units")
                .hasCauseInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void compatibilityCanBeSetAndReadPerSubject() {
        String subject = KafkaBroker.uniqueTopic("forecasts") + "-value";
        WireBytes.register(URL, subject, SalesBucket.getClassSchema());

        SERDES.registry().setCompatibility(subject, SchemaRegistryClient.Compatibility.FULL);

        assertThat(SERDES.registry().compatibility(subject)).isEqualTo(SchemaRegistryClient.Compatibility.FULL);
    }

    @Test
    void aSubjectWithoutItsOwnLevelFollowsTheGlobalOne() {
        String subject = KafkaBroker.uniqueTopic("inventory") + "-value";
        WireBytes.register(URL, subject, SalesBucket.getClassSchema());

        // BACKWARD is the level the README promises for every topic, so setting it globally cannot upset other tests.
        SERDES.registry().setGlobalCompatibility(SchemaRegistryClient.Compatibility.BACKWARD);

        assertThat(SERDES.registry().compatibility(subject)).isEqualTo(SchemaRegistryClient.Compatibility.BACKWARD);
    }

    @Test
    void anOrderTypeAddedByANewerWriterIsReadAsUnknownNotAsASale() {
        String topic = KafkaBroker.uniqueTopic("orders");
        String subject = topic + "-value";
        WireBytes.setCompatibility(URL, subject, "BACKWARD");
        SERDES.registry().register(subject, OrderEvent.getClassSchema());
        // A newer producer's schema: one more order type, EXCHANGE.
        Schema newer = WireBytes.edit(OrderEvent.getClassSchema(), fields -> {
            for (var field : fields) {
                if (field.get("name").asText().equals("type")) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) field.get("type").get("symbols")).add("EXCHANGE");
                }
            }
        });
        int newerId = SERDES.registry().register(subject, newer);
        Schema lineSchema = newer.getField("lines").schema().getElementType();
        GenericRecord line = new GenericData.Record(lineSchema);
        line.put("productId", "A");
        line.put("quantity", 1.0);
        line.put("unitPrice", 2.0);
        GenericRecord order = new GenericData.Record(newer);
        order.put("orderId", "x1");
        order.put("eventTime", 1_300_000_000_000L);
        order.put("type", new GenericData.EnumSymbol(newer.getField("type").schema(), "EXCHANGE"));
        order.put("lines", java.util.List.of(line));

        OrderEvent read = SERDES.forValue(OrderEvent.class).deserializer()
                .deserialize(topic, WireBytes.frame(newerId, newer, order));

        assertThat(read.getType()).isEqualTo(OrderType.UNKNOWN);
        assertThat(read.getOrderId()).isEqualTo("x1");
    }

    @Test
    void restockAlertsWrittenBeforeTheStateFieldExistedReadAsRaisedAndTodaysSchemaRegistersAfterThem() {
        String topic = KafkaBroker.uniqueTopic("restock-alerts");
        String subject = topic + "-value";
        WireBytes.setCompatibility(URL, subject, "BACKWARD");
        // RestockAlert as it was before alerts could be cleared: no state, lead time, service level, order-up-to.
        Schema older = WireBytes.edit(RestockAlert.getClassSchema(), fields -> {
            for (String name : java.util.List.of("state", "leadTimeBuckets", "serviceLevel", "orderUpToLevel")) {
                WireBytes.removeField(fields, name);
            }
        });
        int olderId = WireBytes.register(URL, subject, older);
        RestockAlert today = SampleRecords.restockAlert();
        GenericRecord old = new GenericData.Record(older);
        for (Schema.Field field : older.getFields()) {
            Object value = today.get(field.name());
            old.put(field.name(), value instanceof java.time.Instant t ? t.toEpochMilli() : value);
        }
        Serde<RestockAlert> serde = SERDES.forValue(RestockAlert.class);

        RestockAlert read = serde.deserializer().deserialize(topic, WireBytes.frame(olderId, older, old));
        byte[] todaysBytes = serde.serializer().serialize(topic, today);

        assertThat(read.getState()).isEqualTo(RestockState.RAISED);
        assertThat(read.getLeadTimeBuckets()).isZero();
        assertThat(read.getSuggestedOrder()).isEqualTo(today.getSuggestedOrder());
        assertThat(WireBytes.idOf(todaysBytes)).isNotEqualTo(olderId);
    }

    private static GenericRecord copy(SalesBucket bucket, Schema schema) {
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            if (SalesBucket.getClassSchema().getField(field.name()) == null) {
                continue;
            }
            Object value = bucket.get(field.name());
            record.put(field.name(), value instanceof java.time.Instant t ? t.toEpochMilli() : value);
        }
        return record;
    }
}
