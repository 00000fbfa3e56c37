package io.demandcast.app.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The part of the production {@code orders} topic a replay reads: per partition, the offsets from the first record
 * stamped at or after the start to the first stamped at or after the stop (offsetsForTimes), in offset order, so
 * that the replay sees the records as production did, late ones included. Found and copied by a consumer with no
 * group: it commits nothing and joins nothing.
 *
 * @param offsets per partition, {start, end} (end exclusive)
 */
record OrdersRange(String topic, Map<Integer, long[]> offsets, Instant start, Instant stop) {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Records in the range. */
    long records() {
        return offsets.values().stream().mapToLong(o -> o[1] - o[0]).sum();
    }

    int partitions() {
        return offsets.size();
    }

    /**
     * Finds the range [start, stop) of {@code topic}.
     *
     * @throws ReplayRefused (status 1) when the topic is missing, when records before {@code start} were deleted
     *                       by retention while the range starts before the oldest kept one, or when it is empty
     */
    static OrdersRange find(Map<String, Object> clientProps, String topic, Instant start, Instant stop) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientProps)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new ReplayRefused(1, "no topic " + topic + " on the broker (topic.orders): nothing to replay");
            }
            List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, TIMEOUT);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> atStart = consumer.offsetsForTimes(at(parts,
                    start.toEpochMilli()), TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> atStop = consumer.offsetsForTimes(at(parts, stop.toEpochMilli()),
                    TIMEOUT);
            Map<TopicPartition, OffsetAndTimestamp> oldest = consumer.offsetsForTimes(at(parts, 0L), TIMEOUT);
            Map<Integer, long[]> offsets = new TreeMap<>();
            for (TopicPartition tp : parts) {
                long b = begin.get(tp);
                long e = end.get(tp);
                OffsetAndTimestamp first = oldest.get(tp);
                // Retention deleted the head of this partition, and what it kept starts after the range does.
                if (b > 0 && first != null && first.timestamp() > start.toEpochMilli()) {
                    throw new ReplayRefused(1, topic + " partition " + tp.partition() + " keeps records from "
                            + Instant.ofEpochMilli(first.timestamp()) + " on (older ones were deleted by retention); "
                            + "the replay needs them from " + start + " (--from minus the warm-up)");
                }
                long from = atStart.get(tp) == null ? e : atStart.get(tp).offset();
                long to = atStop.get(tp) == null ? e : atStop.get(tp).offset();
                offsets.put(tp.partition(), new long[] {from, Math.max(from, to)});
            }
            OrdersRange range = new OrdersRange(topic, offsets, start, stop);
            if (range.records() == 0) {
                throw new ReplayRefused(1, "no orders on " + topic + " stamped between " + start + " and " + stop
                        + " (--from minus the warm-up, --to plus the bucket that closes it): nothing to replay");
            }
            return range;
        }
    }

    /** What a copy did: records copied and the latest record timestamp among them. */
    record Copied(long records, Instant latest) {
    }

    /**
     * Copies the range, record by record (key, value, timestamp, headers and partition as they are), to
     * {@code target}, which has as many partitions. Bytes are copied, not decoded: the replay's intake judges them
     * as production's did.
     */
    Copied copyTo(Map<String, Object> clientProps, String target, LongConsumer progress) {
        Map<String, Object> producerProps = producerProps(clientProps);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        SendFailure failure = new SendFailure(target);
        long copied = 0;
        long latest = Long.MIN_VALUE;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(clientProps);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (Map.Entry<Integer, long[]> e : offsets.entrySet()) {
                if (e.getValue()[1] > e.getValue()[0]) {
                    parts.add(new TopicPartition(topic, e.getKey()));
                }
            }
            consumer.assign(parts);
            for (TopicPartition tp : parts) {
                consumer.seek(tp, offsets.get(tp.partition())[0]);
            }
            List<TopicPartition> open = new ArrayList<>(parts);
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= offsets.get(r.partition())[1]) {
                        continue;
                    }
                    producer.send(new ProducerRecord<>(target, r.partition(), r.timestamp(), r.key(), r.value(),
                            r.headers()), failure);
                    copied++;
                    latest = Math.max(latest, r.timestamp());
                }
                failure.throwIfAny();
                progress.accept(copied);
                open.removeIf(tp -> {
                    if (consumer.position(tp) >= offsets.get(tp.partition())[1]) {
                        consumer.pause(List.of(tp));
                        return true;
                    }
                    return false;
                });
            }
            producer.flush();
            failure.throwIfAny();
        }
        return new Copied(copied, latest == Long.MIN_VALUE ? null : Instant.ofEpochMilli(latest));
    }

    /**
     * The copy's producer: idempotent, acks from all replicas, and one request in flight. The target topic was
     * created a moment before, and a broker that has not applied the creation yet answers the first request
     * NOT_LEADER_OR_FOLLOWER while it appends the next; the first one's retries then fail with
     * OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms drops its records (KAFKA-15591): the replay would wait
     * for orders that never came.
     */
    private static Map<String, Object> producerProps(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return props;
    }

    /** The first send of a copy that failed: the copy stops with it rather than replay a range with a gap. */
    private static final class SendFailure implements Callback {
        private final String target;
        private final AtomicReference<Exception> first = new AtomicReference<>();

        SendFailure(String target) {
            this.target = target;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception e) {
            if (e != null) {
                first.compareAndSet(null, e);
            }
        }

        void throwIfAny() {
            Exception e = first.get();
            if (e != null) {
                throw new IllegalStateException("copying orders to " + target + " failed: " + e, e);
            }
        }
    }

    /** A copy of the range made in steps, for a replay that paces its intake (with retraining). */
    Copier copier(Map<String, Object> clientProps, String target) {
        return new Copier(clientProps, target);
    }

    /**
     * Copies the range to {@code target} in steps, as {@link #copyTo} does at once: each step copies, in offset
     * order, what comes before the first record stamped at or after a time, so that the steps together copy the
     * range record for record, late records in the step their offset puts them in.
     */
    final class Copier implements AutoCloseable {
        private final String target;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final Map<TopicPartition, Long> next = new HashMap<>();
        /** Per partition, the latest record timestamp copied: a bucket closes once every partition passed it. */
        private final Map<Integer, Long> latestByPartition = new TreeMap<>();
        private long copied;

        private final SendFailure failure;

        private Copier(Map<String, Object> clientProps, String target) {
            this.target = target;
            this.failure = new SendFailure(target);
            Map<String, Object> producerProps = producerProps(clientProps);
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            this.consumer = consumer(clientProps);
            this.producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
            offsets.forEach((p, o) -> next.put(new TopicPartition(topic, p), o[0]));
            consumer.assign(List.copyOf(next.keySet()));
        }

        /** Copies what is left before the first record stamped at or after {@code until} (null: the whole rest). */
        void until(Instant until) {
            Map<TopicPartition, Long> stop = new HashMap<>();
            Map<TopicPartition, OffsetAndTimestamp> at = until == null ? Map.of()
                    : consumer.offsetsForTimes(at(List.copyOf(next.keySet()), until.toEpochMilli()), TIMEOUT);
            for (TopicPartition tp : next.keySet()) {
                long end = offsets.get(tp.partition())[1];
                OffsetAndTimestamp o = at.get(tp);
                stop.put(tp, until == null || o == null ? end : Math.min(end, o.offset()));
            }
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition tp : next.keySet()) {
                if (next.get(tp) < stop.get(tp)) {
                    consumer.seek(tp, next.get(tp));
                    open.add(tp);
                }
            }
            consumer.pause(next.keySet());
            consumer.resume(open);
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < next.get(tp) || r.offset() >= stop.get(tp)) {
                        continue;
                    }
                    producer.send(new ProducerRecord<>(target, r.partition(), r.timestamp(), r.key(), r.value(),
                            r.headers()), failure);
                    next.put(tp, r.offset() + 1);
                    copied++;
                    latestByPartition.merge(r.partition(), r.timestamp(), Math::max);
                }
                open.removeIf(tp -> {
                    if (consumer.position(tp) >= stop.get(tp)) {
                        next.put(tp, Math.max(next.get(tp), stop.get(tp)));
                        consumer.pause(List.of(tp));
                        return true;
                    }
                    return false;
                });
            }
            producer.flush();
            failure.throwIfAny();
        }

        /** Records copied so far, and the latest timestamp among them. */
        Copied copied() {
            long latest = latestByPartition.values().stream().mapToLong(Long::longValue).max()
                    .orElse(Long.MIN_VALUE);
            return new Copied(copied, latest == Long.MIN_VALUE ? null : Instant.ofEpochMilli(latest));
        }

        /**
         * The event time every partition of the range has reached, or null while one has had no record: the
         * buckets that end (plus grace) before it can close.
         */
        Instant everyPartitionReached() {
            if (latestByPartition.size() < offsets.values().stream().filter(o -> o[1] > o[0]).count()) {
                return null;
            }
            return Instant.ofEpochMilli(latestByPartition.values().stream().mapToLong(Long::longValue).min()
                    .orElseThrow());
        }

        @Override
        public void close() {
            producer.close();
            consumer.close();
        }
    }

    private static Map<TopicPartition, Long> at(List<TopicPartition> parts, long time) {
        Map<TopicPartition, Long> m = new HashMap<>();
        parts.forEach(p -> m.put(p, time));
        return m;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        // No group.id: assign and seek only, so nothing is committed and no group is joined.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
