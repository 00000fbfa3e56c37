package io.demandcast.app.topology;

import io.demandcast.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * TEST ONLY: Avro specific records as plain Avro binary, without the Confluent wire format or a registry, so that
 * {@code TopologyTestDriver} tests need no registry. Decoding refuses trailing bytes so that garbage fails the way
 * a registry serde's magic-byte check would. Production uses the registry serde of the schemas module.
 */
public final class PlainAvroValueSerdes implements Topics.ValueSerdes {

    @Override
    public <T extends SpecificRecord> Serde<T> forValue(Class<T> type) {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(type);
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        return Serdes.serdeFrom(
                (topic, value) -> {
                    if (value == null) {
                        return null;
                    }
                    try {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                        writer.write(value, enc);
                        enc.flush();
                        return out.toByteArray();
                    } catch (IOException | RuntimeException e) {
                        throw new SerializationException("cannot write " + type.getSimpleName() + " to " + topic, e);
                    }
                },
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    try {
                        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
                        T value = reader.read(null, dec);
                        if (!dec.isEnd()) {
                            throw new SerializationException(type.getSimpleName() + " on " + topic
                                    + ": trailing bytes after the record");
                        }
                        return value;
                    } catch (IOException | RuntimeException e) {
                        if (e instanceof SerializationException se) {
                            throw se;
                        }
                        throw new SerializationException("cannot read " + type.getSimpleName() + " from " + topic
                                + " (" + bytes.length + " bytes)", e);
                    }
                });
    }
}
