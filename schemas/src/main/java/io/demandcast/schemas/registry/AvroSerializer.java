package io.demandcast.schemas.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a specific Avro record in the Confluent wire format: magic byte 0, the 4-byte big-endian id of the
 * record's schema under the topic's subject, then the Avro binary encoding.
 */
final class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_LENGTH = 5;

    private final Class<T> type;
    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final boolean isKey;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    AvroSerializer(Class<T> type, SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema, model);
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        int id = idsByTopic.computeIfAbsent(topic, this::schemaId);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot serialize a value of type " + type.getSimpleName() + " for topic '" + topic
                    + "' with schema id " + id + ": " + e, e);
        }
        return out.toByteArray();
    }

    private int schemaId(String topic) {
        String subject = AvroSerdes.subject(topic, isKey);
        try {
            return autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
        } catch (SchemaRegistryException e) {
            String hint = !autoRegister && e.reason() == SchemaRegistryException.Reason.NOT_FOUND
                    ? " (" + SerdeConfig.AUTO_REGISTER + " is false, so the schema must be registered beforehand)"
                    : "";
            throw new SerializationException("Cannot serialize a value of type " + type.getSimpleName() + " for topic '" + topic
                    + "': " + e.getMessage() + hint, e);
        }
    }
}
