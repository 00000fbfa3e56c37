package io.demandcast.app.tail;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.demandcast.app.web.AvroJson;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads a topic from its start or its end (no consumer group: nothing is committed) and turns each record into
 * one line of JSON: {@code {"topic", "partition", "offset", "timestamp", "key", "value"}}, the value decoded
 * through the registry. Stops after {@code max} records, when no record came for {@code idleTimeout}, or when
 * {@code stop} says so.
 */
public final class TopicTail {

    /**
     * @param max         records to print, 0: no limit
     * @param idleTimeout stop after this long without a record; null: never
     */
    public record Settings(String topic, boolean fromBeginning, long max, Duration idleTimeout) {
    }

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final RegistryDecoder decoder;

    public TopicTail(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, RegistryDecoder decoder) {
        this.consumer = consumer;
        this.decoder = decoder;
    }

    /**
     * Prints until a stop condition; returns the number of records printed.
     * @throws IllegalArgumentException when the topic does not exist
     */
    public long run(Settings settings, Consumer<String> out, BooleanSupplier stop) {
        List<PartitionInfo> partitions = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalArgumentException("no topic " + settings.topic() + " on the broker; the app's topics are "
                    + "listed by `forecaster tail --help`");
        }
        List<TopicPartition> assigned = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(assigned);
        if (settings.fromBeginning()) {
            consumer.seekToBeginning(assigned);
        } else {
            consumer.seekToEnd(assigned);
        }
        // Resolve the positions now, so that "from the end" means from the moment the command started.
        assigned.forEach(consumer::position);
        long printed = 0;
        long lastRecord = System.nanoTime();
        try {
            while (!stop.getAsBoolean()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (settings.idleTimeout() != null
                            && System.nanoTime() - lastRecord >= settings.idleTimeout().toNanos()) {
                        break;
                    }
                    continue;
                }
                lastRecord = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.accept(line(r));
                    printed++;
                    if (settings.max() > 0 && printed >= settings.max()) {
                        return printed;
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() asked us to end while poll waited.
            return printed;
        }
        return printed;
    }

    String line(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("topic", r.topic());
        o.put("partition", r.partition());
        o.put("offset", r.offset());
        o.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        putKey(o, r.key());
        if (r.value() == null) {
            o.putNull("value");
        } else if (RegistryDecoder.isWireFormat(r.value())) {
            try {
                o.set("value", AvroJson.toJson(decoder.decode(r.value())));
            } catch (IllegalArgumentException e) {
                o.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
                o.put("error", e.getMessage());
            }
        } else {
            o.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
            o.put("error", "not the Confluent wire format: shown as base64");
        }
        return AvroJson.write(o);
    }

    /** Keys are UTF-8 strings on every topic of the project; anything else is shown as base64. */
    private static void putKey(ObjectNode o, byte[] key) {
        if (key == null) {
            o.putNull("key");
            return;
        }
        try {
            o.put("key", StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString());
        } catch (CharacterCodingException e) {
            o.put("keyBase64", Base64.getEncoder().encodeToString(key));
        }
    }
}
