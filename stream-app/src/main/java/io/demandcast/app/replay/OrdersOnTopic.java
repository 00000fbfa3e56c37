package io.demandcast.app.replay;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.schemas.avro.OrderEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The orders of an order-lines file that a topic already holds, so that a produce of the file sends each order once
 * however often it runs: the demo, run again on the same broker, or after it was cut short while producing.
 *
 * <p>It rests on what a produce of the file leaves on the topic: the file is in event-time order and one idempotent
 * producer keeps each partition in the order sent, so each partition holds a prefix of the orders sent to it.
 * Every order stamped before the earliest of the partitions' latest timestamps is therefore there (its partition holds
 * a later one); from that time on, the order ids on the topic (the record keys) say which are. A topic that holds
 * other orders than the file's breaks that rule: give the file a topic of its own.
 */
public final class OrdersOnTopic {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final long records;
    /** Every order stamped before this is on the topic; null: none is known to be by its time alone. */
    private final Instant allBefore;
    /** The ids of the orders on the topic stamped at or after {@link #allBefore} (all of them when it is null). */
    private final Set<String> idsSince;

    private OrdersOnTopic(String topic, long records, Instant allBefore, Set<String> idsSince) {
        this.topic = topic;
        this.records = records;
        this.allBefore = allBefore;
        this.idsSince = idsSince;
    }

    /** What {@code topic} holds; a missing topic holds nothing. Reads it with no group: it commits and joins nothing. */
    public static OrdersOnTopic read(AppConfig config, String topic) {
        Map<String, Object> props = TopicReplay.clientProps(config);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                return new OrdersOnTopic(topic, 0, null, Set.of());
            }
            List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, TIMEOUT);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, TIMEOUT);
            long records = parts.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
            if (records == 0) {
                return new OrdersOnTopic(topic, 0, null, Set.of());
            }
            Instant allBefore = earliestLatest(config, parts, begin, end);
            Map<TopicPartition, OffsetAndTimestamp> from = allBefore == null ? Map.of()
                    : consumer.offsetsForTimes(at(parts, allBefore.toEpochMilli()), TIMEOUT);
            consumer.assign(parts);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = from.get(tp);
                consumer.seek(tp, allBefore == null ? begin.get(tp) : o == null ? end.get(tp) : o.offset());
            }
            Set<String> ids = new HashSet<>();
            while (parts.stream().anyMatch(tp -> consumer.position(tp, TIMEOUT) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null) {
                        ids.add(new String(r.key(), StandardCharsets.UTF_8));
                    }
                }
            }
            return new OrdersOnTopic(topic, records, allBefore, ids);
        }
    }

    /**
     * The earliest of the partitions' latest record timestamps, or null when a partition has no record (then nothing
     * is known to be there by its time alone).
     */
    private static Instant earliestLatest(AppConfig config, List<TopicPartition> parts,
                                          Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end) {
        if (parts.stream().anyMatch(tp -> end.get(tp) <= begin.get(tp))) {
            return null;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        parts.forEach(tp -> latest.put(tp, OffsetSpec.maxTimestamp()));
        try (Admin admin = Admin.create(ForecasterApp.adminProperties(config, TIMEOUT))) {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin.listOffsets(latest).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Instant.ofEpochMilli(found.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo
                    ::timestamp).min().orElseThrow());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the latest timestamps of " + parts + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the latest timestamps of " + parts, e);
        }
    }

    public String topic() {
        return topic;
    }

    /** Records on the topic. */
    public long records() {
        return records;
    }

    /** Whether {@code order} is on the topic already. */
    public boolean holds(OrderEvent order) {
        return allBefore != null && order.getEventTime().isBefore(allBefore) || idsSince.contains(order.getOrderId());
    }

    /** The orders of {@code orders} that the topic does not hold, in their order. */
    public Iterator<OrderEvent> missing(Iterator<OrderEvent> orders) {
        if (records == 0) {
            return orders;
        }
        Iterable<OrderEvent> all = () -> orders;
        return StreamSupport.stream(all.spliterator(), false).filter(o -> !holds(o)).iterator();
    }

    private static Map<TopicPartition, Long> at(List<TopicPartition> parts, long time) {
        Map<TopicPartition, Long> m = new HashMap<>();
        parts.forEach(p -> m.put(p, time));
        return m;
    }
}
