package io.demandcast.schemas.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
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
    /** A hand-written encoder for this type's current schema, or null (see {@link HotPathEncoders}). */
    private final HotPathEncoders.RecordEncoder<T> hotPath;
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final boolean isKey;
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    AvroSerializer(Class<T> type, SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema, model);
        this.hotPath = HotPathEncoders.forType(type, schema);
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        return write(topic, out -> {
            if (hotPath != null) {
                hotPath.encode(data, out);
            } else {
                writer.write(data, out);
            }
        });
    }

    /** Writes one record's Avro body; {@link #write} puts the wire header before it. */
    interface Body {
        void write(Encoder out) throws IOException;
    }

    /** Whether this type's schema is the one its hand-written encoder follows (see {@link HotPathEncoders}). */
    boolean hasHotPath() {
        return hotPath != null;
    }

    /** The wire format: the header of the topic's schema id, then {@code body}'s encoding of one record. */
    byte[] write(String topic, Body body) {
        int id = idsByTopic.computeIfAbsent(topic, this::schemaId);
        Scratch scratch = SCRATCH.get();
        Scratch.Output out = scratch.start();
        out.write(MAGIC_BYTE);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            scratch.encoder = EncoderFactory.get().binaryEncoder(out, scratch.encoder);
            body.write(scratch.encoder);
            scratch.encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot serialize a value of type " + type.getSimpleName() + " for topic '" + topic
                    + "' with schema id " + id + ": " + e, e);
        }
        return scratch.finish();
    }

    /**
     * One encoding buffer and encoder per thread, reused across records: a forecast cycle encodes 100,000 records
     * of about a kilobyte in a row, and growing a fresh stream for each showed up in its profile. A buffer that grew
     * past {@link #KEEP_BYTES} (a model release, say) is dropped after use rather than held by the thread.
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        private static final int KEEP_BYTES = 64 * 1024;
        private Output out = new Output();
        private BinaryEncoder encoder;

        Output start() {
            out.count = 0;
            return out;
        }

        byte[] finish() {
            byte[] bytes = Arrays.copyOf(out.buf, out.count);
            if (out.buf.length > KEEP_BYTES) {
                out = new Output();
                encoder = null;
            }
            return bytes;
        }

        /** An unsynchronized growable byte sink (ByteArrayOutputStream locks on every write). */
        private static final class Output extends OutputStream {
            private byte[] buf = new byte[2048];
            private int count;

            @Override
            public void write(int b) {
                room(1);
                buf[count++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                room(len);
                System.arraycopy(b, off, buf, count, len);
                count += len;
            }

            private void room(int n) {
                if (count + n > buf.length) {
                    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
                }
            }
        }
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
