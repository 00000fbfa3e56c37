package io.demandcast.app.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The record timestamps the broker accepts. A broker refuses a record whose timestamp is more than
 * {@code message.timestamp.after.max.ms} ahead of its clock (one hour by default) or more than
 * {@code message.timestamp.before.max.ms} behind it, and a refused write kills the stream thread that made it. An
 * order's event time is a producer's word (a shop clock ahead, a wrong time zone, a pre-order stamped with its
 * delivery date), so nothing the app writes uses it as a timestamp unchecked: {@link #bound} pulls a timestamp into
 * the accepted range. The event time itself travels in the record values, which is what the buckets are cut by.
 *
 * <p>Half of each limit is used, so that the time between computing a timestamp and the broker's append (a
 * transaction stays open up to {@code transaction.timeout.ms}) and some clock skew between app and broker never
 * push a record out of range.
 *
 * @param afterMaxMs  how far ahead of the wall clock a record may be stamped, in milliseconds
 * @param beforeMaxMs how far behind the wall clock a record may be stamped, in milliseconds
 */
public record RecordTimestamps(long afterMaxMs, long beforeMaxMs) {

    /** Kafka 4's defaults: one hour ahead, no limit behind. What the topology uses when the broker was not asked. */
    public static final RecordTimestamps KAFKA_DEFAULTS = new RecordTimestamps(Duration.ofHours(1).toMillis(),
            Long.MAX_VALUE);

    private static final String BROKER_AFTER = "log.message.timestamp.after.max.ms";
    private static final String BROKER_BEFORE = "log.message.timestamp.before.max.ms";

    public RecordTimestamps {
        if (afterMaxMs < 0 || beforeMaxMs < 0) {
            throw new IllegalArgumentException("timestamp limits must be >= 0 ms; got after " + afterMaxMs
                    + ", before " + beforeMaxMs);
        }
    }

    /** {@code timestamp} if the broker accepts it at {@code wallClock}, else the nearest timestamp it accepts. */
    public long bound(long timestamp, long wallClock) {
        long latest = wallClock + afterMaxMs / 2;
        // Kafka Streams drops records with negative timestamps: never go below 0.
        long earliest = Math.max(0, wallClock - beforeMaxMs / 2);
        return Math.max(earliest, Math.min(latest, timestamp));
    }

    /**
     * The orders source's timestamps, bounded: the intake task's state changelog and whatever it forwards carry
     * its input's timestamps, and a producer may have stamped a record with anything its topic accepted.
     */
    public TimestampExtractor extractor() {
        return (ConsumerRecord<Object, Object> record, long partitionTime) ->
                bound(record.timestamp(), System.currentTimeMillis());
    }

    /**
     * The tightest limits of the broker (which internal topics such as repartition and changelog topics get) and of
     * {@code topics} (their own overrides included), as the broker reports them.
     */
    public static RecordTimestamps read(Admin admin, Collection<String> topics, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources = new ArrayList<>();
        var nodes = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!nodes.isEmpty()) {
            resources.add(new ConfigResource(ConfigResource.Type.BROKER,
                    Integer.toString(nodes.iterator().next().id())));
        }
        for (String topic : topics) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic));
        }
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Long after = null;
        Long before = null;
        for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
            boolean broker = e.getKey().type() == ConfigResource.Type.BROKER;
            after = tighter(after, value(e.getValue(),
                    broker ? BROKER_AFTER : TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG));
            before = tighter(before, value(e.getValue(),
                    broker ? BROKER_BEFORE : TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG));
        }
        return new RecordTimestamps(after == null ? KAFKA_DEFAULTS.afterMaxMs() : after,
                before == null ? KAFKA_DEFAULTS.beforeMaxMs() : before);
    }

    private static Long tighter(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.min(a, b));
    }

    private static Long value(Config config, String name) {
        ConfigEntry entry = config.get(name);
        if (entry == null || entry.value() == null || entry.value().isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(entry.value().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "record timestamps within " + Duration.ofMillis(afterMaxMs) + " ahead of and "
                + (beforeMaxMs == Long.MAX_VALUE ? "any time" : Duration.ofMillis(beforeMaxMs).toString())
                + " behind the broker's clock";
    }
}
