package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topics `run` creates, on the real broker. */
class TopicProvisionerTest {

    @TempDir
    Path state;

    @Test
    void createsMissingTopicsKeepingEventTimeRecordsAndCompactingTheLatestValueTopics() throws Exception {
        Cluster cluster = Cluster.shared();
        AppConfig config = cluster.config(state, "topic.partitions", "2");
        // An existing topic is left as it is, partitions included.
        cluster.broker.createTopics(1, config.topicNames().orders());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.broker.bootstrapServers()))) {
            List<String> created = TopicProvisioner.ensure(admin, config, Duration.ofSeconds(30));
            assertThat(created).hasSize(6).doesNotContain(config.topicNames().orders());
            assertThat(TopicProvisioner.ensure(admin, config, Duration.ofSeconds(30))).isEmpty();

            var names = config.topicNames();
            var described = admin.describeTopics(names.all()).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(described.get(names.orders()).partitions()).hasSize(1);
            assertThat(described.get(names.forecasts()).partitions()).hasSize(2);
            // The aggregators wait for the partitions orders has, not for those topic.partitions would make.
            assertThat(TopicProvisioner.partitionCount(admin, names.orders(), Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(TopicProvisioner.partitionCount(admin, names.forecasts(), Duration.ofSeconds(30))).isEqualTo(2);

            Map<ConfigResource, Config> configs = admin.describeConfigs(names.all().stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all()
                    .get(30, TimeUnit.SECONDS);
            for (String topic : names.all()) {
                Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
                boolean compacted = Set.of(names.inventory(), names.models()).contains(topic);
                assertThat(c.get("cleanup.policy").value()).as(topic).isEqualTo(compacted ? "compact" : "delete");
                if (!compacted && !topic.equals(names.orders())) {
                    // Event-time stamps from 2010 must not fall under the broker's 7 days of retention.
                    assertThat(c.get("retention.ms").value()).as(topic).isEqualTo("-1");
                }
            }
        }
    }
}
