package io.demandcast.app.tail;

import io.demandcast.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes any value in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary) with the writer's
 * own schema from the registry, as a generic record: no generated class is needed, so every topic of the project,
 * internal ones included, reads the same way.
 */
public final class RegistryDecoder {

    private final SchemaRegistryClient registry;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

    public RegistryDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** Whether {@code bytes} look like the wire format. */
    public static boolean isWireFormat(byte[] bytes) {
        return bytes != null && bytes.length >= 5 && bytes[0] == 0;
    }

    /**
     * @throws IllegalArgumentException when the bytes are not the wire format or not a record of the writer's
     *                                  schema; the message says what came
     */
    public GenericRecord decode(byte[] bytes) {
        if (!isWireFormat(bytes)) {
            throw new IllegalArgumentException("expected the Confluent wire format (magic byte 0, schema id, Avro), "
                    + "got "
                    + (bytes == null ? "null" : bytes.length + " bytes starting with "
                    + (bytes.length == 0 ? "nothing" : String.format("0x%02x", bytes[0]))));
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        GenericDatumReader<GenericRecord> reader = readers.computeIfAbsent(id, i -> {
            Schema schema = registry.schemaById(i);
            return new GenericDatumReader<>(schema);
        });
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the " + (bytes.length - 5) + " Avro bytes after schema id " + id
                    + " are not a record of that schema: " + e, e);
        }
    }
}
