package io.demandcast.schemas.registry;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into a specific Avro record: the writer's schema comes from the registry by
 * the id in the header and is resolved against the record class's own schema, so a reader built for an older or
 * newer version of the schema reads what a compatible writer wrote.
 */
final class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final Class<T> type;
    private final SpecificData model;
    private final Schema readerSchema;
    private final SchemaRegistryClient registry;
    private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();

    AvroDeserializer(Class<T> type, SchemaRegistryClient registry) {
        this.type = type;
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.registry = registry;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < AvroSerializer.HEADER_LENGTH || data[0] != AvroSerializer.MAGIC_BYTE) {
            throw new SerializationException("Cannot deserialize a value of type " + type.getSimpleName() + " from topic '" + topic
                    + "': expected the Confluent wire format (magic byte 0, a 4-byte schema id, Avro binary), got "
                    + data.length + " byte(s) starting with " + preview(data));
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        SpecificDatumReader<T> reader = readersByWriterId.computeIfAbsent(id, writerId -> reader(topic, writerId));
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, AvroSerializer.HEADER_LENGTH,
                    data.length - AvroSerializer.HEADER_LENGTH, null);
            T record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("Cannot deserialize a value of type " + type.getSimpleName() + " from topic '"
                        + topic + "' written with schema id " + id + ": " + (data.length - AvroSerializer.HEADER_LENGTH)
                        + " bytes of Avro data hold trailing bytes after the record");
            }
            return record;
        } catch (SerializationException e) {
            throw e;
        } catch (Exception e) {
            // Avro signals corrupt data with EOFException, AvroRuntimeException, negative lengths and index errors.
            throw new SerializationException("Cannot deserialize a value of type " + type.getSimpleName() + " from topic '" + topic
                    + "' written with schema id " + id + ": the " + (data.length - AvroSerializer.HEADER_LENGTH)
                    + " bytes of Avro data do not decode: " + e, e);
        }
    }

    private SpecificDatumReader<T> reader(String topic, int writerId) {
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(writerId);
        } catch (SchemaRegistryException e) {
            String what = e.reason() == SchemaRegistryException.Reason.NOT_FOUND
                    ? "unknown schema id " + writerId : "cannot resolve schema id " + writerId;
            throw new SerializationException("Cannot deserialize a value of type " + type.getSimpleName() + " from topic '" + topic
                    + "': " + what + ": " + e.getMessage(), e);
        }
        if (writerSchema.getType() != Schema.Type.RECORD
                || !(writerSchema.getFullName().equals(readerSchema.getFullName())
                     || readerSchema.getAliases().contains(writerSchema.getFullName()))) {
            throw new SerializationException("Cannot deserialize a value of type " + type.getSimpleName() + " from topic '" + topic
                    + "': schema id " + writerId + " describes " + writerSchema.getFullName() + ", expected "
                    + readerSchema.getFullName());
        }
        return new SpecificDatumReader<>(writerSchema, readerSchema, model);
    }

    private static String preview(byte[] data) {
        int n = Math.min(data.length, 8);
        return n == 0 ? "nothing" : "0x" + HexFormat.of().formatHex(data, 0, n) + (data.length > n ? "..." : "");
    }
}
