package io.demandcast.app.run;

import io.demandcast.app.config.AppConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics the app reads and writes when they are missing, with {@code topic.partitions} partitions and
 * {@code topic.replication.factor}; {@code inventory} and {@code forecaster-models} are compacted (the latest
 * value per key is what counts), the others keep records for {@code topic.retention.ms} (for ever by default: their
 * record timestamps are event times, years old in a replay, and time-based retention would delete them at once).
 * Existing topics are left as they are.
 */
public final class TopicProvisioner {

    private TopicProvisioner() {
    }

    /** The app's topics (README, "Topics") with their settings. */
    public static List<NewTopic> planned(AppConfig config) {
        Optional<Integer> partitions = Optional.of(config.topicPartitions());
        Optional<Short> replication = config.topicReplicationFactor() < 0 ? Optional.empty()
                : Optional.of(config.topicReplicationFactor());
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        Map<String, String> retained = Map.of(TopicConfig.RETENTION_MS_CONFIG,
                Long.toString(config.topicRetentionMs()));
        var names = config.topicNames();
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names.all()) {
            NewTopic topic = new NewTopic(name, partitions, replication);
            if (name.equals(names.inventory()) || name.equals(names.models())) {
                topic.configs(compacted);
            } else {
                topic.configs(retained);
            }
            topics.add(topic);
        }
        return topics;
    }

    /** How many partitions {@code topic} has: the number of intake tasks each aggregating task waits for. */
    public static int partitionCount(Admin admin, String topic, Duration timeout) {
        try {
            return described(admin, List.of(topic), timeout).get(topic).partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot describe topic " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while describing topic " + topic, e);
        }
    }

    /**
     * Describes {@code topics}, asking again while the broker does not know one yet: a topic created a moment ago
     * is in the controller's metadata before it is in that of the broker asked.
     */
    private static Map<String, TopicDescription> described(Admin admin, Collection<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Creates the missing topics; returns the names of those it created. */
    public static List<String> ensure(Admin admin, AppConfig config, Duration timeout) {
        return ensure(admin, config, config.topicNames().all(), timeout);
    }

    /**
     * Creates those of the app's topics named in {@code names} that are missing (the demo's orders topic alone, say,
     * without the rest of a production set); returns the names of those it created, once the broker describes them,
     * so that what the caller does next (produce, describe, start a stream) finds them.
     */
    public static List<String> ensure(Admin admin, AppConfig config, Collection<String> names, Duration timeout) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = planned(config).stream()
                    .filter(t -> names.contains(t.name()) && !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return List.of();
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    // Another instance starting at the same time made it first: that is what we wanted.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new StartupException("cannot create topic " + entry.getKey() + " on "
                                + config.bootstrapServers() + " (topic.partitions=" + config.topicPartitions()
                                + ", topic.replication.factor=" + config.topicReplicationFactor()
                                + Preflight.accessHint(config, e.getCause()) + "): " + e.getCause(), e.getCause());
                    }
                }
            }
            described(admin, created, timeout);
            return created;
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot list or describe the topics on " + config.bootstrapServers()
                    + Preflight.accessHint(config, e.getCause()) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while creating topics", e);
        }
    }
}
