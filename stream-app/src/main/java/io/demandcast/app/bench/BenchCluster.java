package io.demandcast.app.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The broker and registry a bench runs on, with the admin chores of a bench: its topics all start with
 * {@code prefix} (the application ids too, so their internal topics do) and {@link #deleteTopics()} removes them.
 */
public final class BenchCluster implements AutoCloseable {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final String registryUrl;
    private final String prefix;
    private final Admin admin;

    public BenchCluster(String bootstrapServers, String registryUrl, String prefix) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.registryUrl = Objects.requireNonNull(registryUrl, "registryUrl");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    public String prefix() {
        return prefix;
    }

    /** {@code prefix-name}: a topic or application id of this bench. */
    public String name(String name) {
        return prefix + "-" + name;
    }

    /**
     * Creates topics that keep their records for ever: the synthetic records carry event times of a past year,
     * which the broker's default 7-day time retention would delete in the middle of a run.
     */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, partitions, (short) 1).configs(Map.of("retention.ms", "-1")));
        }
        get(admin.createTopics(topics).all(), "create topics " + List.of(names));
    }

    /** Deletes every topic whose name starts with this bench's prefix; returns how many. */
    public int deleteTopics() {
        Set<String> mine = get(admin.listTopics().names(), "list topics").stream()
                .filter(t -> t.startsWith(prefix + "-")).collect(Collectors.toSet());
        if (!mine.isEmpty()) {
            get(admin.deleteTopics(mine).all(), "delete topics " + mine);
        }
        return mine.size();
    }

    /** Whether the consumer group has committed every partition of {@code topic} up to its end. */
    public boolean topicExists(String topic) {
        return get(admin.listTopics().names(), "list topics").contains(topic);
    }

    public boolean committedToEnd(String groupId, String topic) {
        Map<TopicPartition, OffsetAndMetadata> committed = get(
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), "committed offsets of "
                        + groupId);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        int partitions = get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe " + topic)
                .get(topic).partitions().size();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        var ends = get(admin.listOffsets(latest).all(), "end offsets of " + topic);
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            if (e.getValue().offset() > 0 && (c == null || c.offset() < e.getValue().offset())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads every committed record of {@code topic} from the beginning (read_committed: what a downstream service
     * sees) and hands key and value bytes to {@code sink}; returns how many were read.
     */
    public long readAll(String topic, BiConsumer<byte[], byte[]> sink) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + ": positions " + parts.stream()
                            .map(tp -> tp + "=" + consumer.position(tp)).toList() + " short of the ends " + ends
                            + " after " + ADMIN_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    sink.accept(r.key(), r.value());
                    n++;
                }
            }
        }
        return n;
    }

    private <T> T get(KafkaFuture<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not " + what + " on " + bootstrapServers + ": " + e, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(10));
    }
}
