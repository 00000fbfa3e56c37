package io.demandcast.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keys `run` adds: where REST listens and is reached, and how missing topics are made. */
class RestAndTopicKeysTest {

    @Test
    void restIsLocalOnlyByDefaultAndAdvertisedAtItsOwnHost() {
        AppConfig c = AppConfig.defaults();
        assertThat(c.restHost()).isEqualTo("127.0.0.1");
        assertThat(c.restAdvertisedHost()).isEqualTo("127.0.0.1");
        assertThat(c.topicReplicationFactor()).isEqualTo((short) -1);
        AppConfig env = AppConfig.from(Map.of(), Map.of("DEMANDCAST_REST_HOST", "10.0.0.5",
                "DEMANDCAST_TOPIC_PARTITIONS", "12"));
        assertThat(env.restAdvertisedHost()).isEqualTo("10.0.0.5");
        assertThat(env.topicPartitions()).isEqualTo(12);
        assertThat(env.describe()).containsEntry("rest.host", "10.0.0.5").containsEntry("topic.partitions", "12");
    }

    @Test
    void everyInterfaceNeedsAnAdvertisedHost() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("rest.host", "0.0.0.0"), Map.of()))
                .hasMessageContaining("rest.advertised.host").hasMessageContaining("0.0.0.0");
        assertThat(AppConfig.from(Map.of("rest.host", "0.0.0.0", "rest.advertised.host", "app-1"), Map.of())
                .restAdvertisedHost()).isEqualTo("app-1");
    }

    @Test
    void badTopicSettingsAreRefusedByKey() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("topic.replication.factor", "0"), Map.of()))
                .hasMessageContaining("topic.replication.factor").hasMessageContaining("'0'");
        assertThatThrownBy(() -> AppConfig.from(Map.of("topic.partitions", "0"), Map.of()))
                .hasMessageContaining("topic.partitions");
        assertThatThrownBy(() -> AppConfig.from(Map.of("topic.retention.ms", "0"), Map.of()))
                .hasMessageContaining("topic.retention.ms");
        assertThat(AppConfig.defaults().topicRetentionMs()).isEqualTo(-1L);
    }
}
