package io.demandcast.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.Bucket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {

    @TempDir
    Path dir;

    @Test
    void withNothingSetTheDefaultsAreExactlyOnceDailyBuckets() {
        AppConfig c = AppConfig.defaults();
        assertThat(c.bucket()).isEqualTo(Bucket.DAY);
        assertThat(c.processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(c.topicNames().ordersDlq()).isEqualTo("orders-dlq");
        assertThat(c.modelDir()).isNull();
        assertThat(c.transactionTimeoutMs()).as("above the 10 s default that got fenced").isGreaterThan(10_000);
    }

    @Test
    void theCoresAreSharedOutAmongTheStreamThreadsForTheModel() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(AppConfig.defaults().servingThreads()).as("one stream thread (Kafka's default)").isEqualTo(cores);
        AppConfig two = AppConfig.from(Map.of("streams.num.stream.threads", "2"), Map.of());
        assertThat(two.servingThreads()).isEqualTo(Math.max(1, cores / 2));
        AppConfig many = AppConfig.from(Map.of("streams.num.stream.threads", Integer.toString(4 * cores)), Map.of());
        assertThat(many.servingThreads()).as("never below one").isEqualTo(1);
    }

    @Test
    void theEnvironmentOverridesTheFileKeyByKey() throws IOException {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, """
                bootstrap.servers=file-host:9092
                horizon=28
                topic.orders=file-orders
                """);
        AppConfig c = AppConfig.load(file, Map.of(
                "DEMANDCAST_BOOTSTRAP_SERVERS", "env-host:19092",
                "DEMANDCAST_TOPIC_ORDERS_DLQ", "env-dlq",
                "DEMANDCAST_HOME", "/opt/demandcast"));
        assertThat(c.bootstrapServers()).isEqualTo("env-host:19092");
        assertThat(c.horizon()).isEqualTo(28);
        assertThat(c.topicNames().orders()).isEqualTo("file-orders");
        assertThat(c.topicNames().ordersDlq()).isEqualTo("env-dlq");
    }

    @Test
    void streamsSettingsComeFromTheEnvironmentWithUnderscoresForDots() {
        AppConfig c = AppConfig.from(Map.of("streams.num.stream.threads", "1"), Map.of(
                "DEMANDCAST_STREAMS_NUM_STREAM_THREADS", "4",
                "DEMANDCAST_STREAMS_MAX_POLL_RECORDS", "250"));
        assertThat(c.streamsOverrides()).containsEntry("num.stream.threads", "4")
                .containsEntry("max.poll.records", "250");
    }

    @Test
    void aBadValueIsRefusedWithItsKeyItsEnvironmentNameAndTheValue() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("horizon", "-3"), Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("'horizon'").hasMessageContaining("DEMANDCAST_HORIZON")
                .hasMessageContaining("'-3'");
        assertThatThrownBy(() -> AppConfig.from(Map.of(), Map.of("DEMANDCAST_BUCKET", "fortnight")))
                .hasMessageContaining("'bucket'").hasMessageContaining("'fortnight'")
                .hasMessageContaining("hour, day, week, month");
        assertThatThrownBy(() -> AppConfig.from(Map.of("grace", "an hour"), Map.of()))
                .hasMessageContaining("'grace'").hasMessageContaining("'an hour'");
        assertThatThrownBy(() -> AppConfig.from(Map.of("processing.guarantee", "exactly_once"), Map.of()))
                .hasMessageContaining("exactly_once_v2");
    }

    @Test
    void aBadValueInAFileAlsoNamesTheFile() throws IOException {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "batch.size=lots\n");
        assertThatThrownBy(() -> AppConfig.load(file, Map.of()))
                .hasMessageContaining("'batch.size'").hasMessageContaining("'lots'")
                .hasMessageContaining(file.toString());
    }

    @Test
    void anUnknownKeyInTheFileIsRefusedSoThatATypoDoesNotFallBackToADefault() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("bootstrap.server", "h:1"), Map.of()))
                .hasMessageContaining("'bootstrap.server'").hasMessageContaining("unknown key");
    }

    @Test
    void graceCanBeGivenInBuckets() {
        assertThat(AppConfig.from(Map.of("grace", "0.5 buckets"), Map.of()).grace()).isEqualTo(Duration.ofHours(12));
        assertThat(AppConfig.from(Map.of("grace", "1 bucket", "bucket", "hour"), Map.of()).grace())
                .isEqualTo(Duration.ofHours(1));
        assertThat(AppConfig.from(Map.of("grace", "P2D"), Map.of()).grace()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void theTransactionTimeoutMustExceedTheCommitInterval() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("commit.interval.ms", "30000",
                "transaction.timeout.ms", "20000"), Map.of()))
                .hasMessageContaining("'transaction.timeout.ms'").hasMessageContaining("commit.interval.ms");
    }

    @Test
    void theLogFormMasksSecrets() {
        AppConfig c = AppConfig.from(Map.of(
                "schema.registry.basic.auth.user.info", "svc:pa55word",
                "schema.registry.url", "https://svc:urlpa55@registry.example:8443/apis/ccompat/v7",
                "streams.sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"jaaspa55\";",
                "streams.num.stream.threads", "2"), Map.of());
        String logged = c.toString();
        assertThat(logged).doesNotContain("pa55word", "urlpa55", "jaaspa55")
                .contains("registry.example:8443", "num.stream.threads=2");
        assertThat(c.describe()).containsEntry("schema.registry.basic.auth.user.info", "****");
        assertThat(c.schemaRegistryBasicAuth()).isEqualTo("svc:pa55word");
    }

    @Test
    void everyKafkaClientGetsTheBrokersSecuritySettingsAndNoOtherStreamsKey() {
        AppConfig c = AppConfig.from(Map.of("bootstrap.servers", "kafka:9093",
                "streams.security.protocol", "SASL_SSL",
                "streams.sasl.mechanism", "SCRAM-SHA-512",
                "streams.sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"p\";",
                "streams.ssl.truststore.location", "/etc/kafka/truststore.p12",
                "streams.num.stream.threads", "2",
                "streams.producer.batch.size", "1000"), Map.of());

        assertThat(c.kafkaClientProperties()).containsOnlyKeys("bootstrap.servers", "security.protocol",
                "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.location")
                .containsEntry("bootstrap.servers", "kafka:9093")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(c.brokerSecurityProtocol()).isEqualTo("SASL_SSL");
        assertThat(AppConfig.defaults().kafkaClientProperties()).containsOnlyKeys("bootstrap.servers");
    }

    @Test
    void theRegistryClientGetsTheCredentialsAndRefusesAMalformedOneWithoutShowingIt() {
        AppConfig c = AppConfig.from(Map.of("schema.registry.basic.auth.user.info", "svc:pa55word"), Map.of());
        assertThat(c.serdeConfig().basicAuthUserInfo()).contains("svc:pa55word");
        assertThat(AppConfig.defaults().serdeConfig().basicAuthUserInfo()).isEmpty();

        assertThatThrownBy(() -> AppConfig.from(Map.of("schema.registry.basic.auth.user.info", "pa55word"),
                Map.of()))
                .hasMessageContaining("schema.registry.basic.auth.user.info").hasMessageContaining("user:password")
                .hasMessageNotContaining("pa55word");
    }

    @Test
    void streamsPropertiesCarryTheGuaranteeTheTimeoutsAndStreamsOverrides() {
        AppConfig c = AppConfig.from(Map.of("application.id", "replay-7", "streams.num.stream.threads", "2",
                "transaction.timeout.ms", "90000"), Map.of());
        Properties p = c.streamsProperties();
        assertThat(p).containsEntry("application.id", "replay-7")
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("producer.transaction.timeout.ms", "90000")
                .containsEntry("num.stream.threads", "2")
                .containsEntry("state.dir", c.stateDir().toString())
                .containsEntry("max.task.idle.ms", "-1");
        assertThat(AppConfig.from(Map.of("streams.max.task.idle.ms", "0"), Map.of()).streamsProperties())
                .containsEntry("max.task.idle.ms", "0");
    }

    @Test
    void retrainingIsOffByDefaultAndItsSettingsAreValidated() {
        AppConfig c = AppConfig.from(Map.of("retrain.margin", "0.05"), Map.of("DEMANDCAST_RETRAIN_ENABLED", "true",
                "DEMANDCAST_RETRAIN_EVERY_BUCKETS", "3"));
        assertThat(AppConfig.defaults().models().retrain()).isFalse();
        assertThat(c.models().retrain()).isTrue();
        assertThat(c.models().everyBuckets()).isEqualTo(3);
        assertThat(c.models().margin()).isEqualTo(0.05);
        assertThat(c.describe()).containsEntry("retrain.enabled", "true").containsEntry("model.name", "default");
        assertThatThrownBy(() -> AppConfig.from(Map.of("retrain.margin", "1.5"), Map.of()))
                .hasMessageContaining("'retrain.margin'").hasMessageContaining("'1.5'");
        assertThatThrownBy(() -> AppConfig.from(Map.of("model.name", "a@b"), Map.of()))
                .hasMessageContaining("'model.name'").hasMessageContaining("'a@b'");
        assertThatThrownBy(() -> AppConfig.from(Map.of("retrain.window.buckets", "10", "retrain.eval.buckets", "10"),
                Map.of())).hasMessageContaining("'retrain.window.buckets'");
    }

    @Test
    void everyDefinedKeyIsLoggedAndTheLoggedFormReadsBackToTheSameConfig() {
        AppConfig c = AppConfig.from(Map.of("bucket", "week", "max.unit.price", "250.5",
                "topic.replication.factor", "3", "retrain.enabled", "TRUE"), Map.of());
        assertThat(c.describe().keySet()).containsExactlyElementsOf(AppConfig.keys());
        assertThat(AppConfig.from(c.describe(), Map.of())).isEqualTo(c);
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedWithWhatTheKeyAccepts() {
        assertThatThrownBy(() -> AppConfig.from(Map.of(), Map.of("DEMANDCAST_RETRAIN_ENABLED", "yes")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("'retrain.enabled'").hasMessageContaining("DEMANDCAST_RETRAIN_ENABLED")
                .hasMessageContaining("true or false").hasMessageContaining("'yes'");
        assertThatThrownBy(() -> AppConfig.from(Map.of("topic.replication.factor", "40000"), Map.of()))
                .hasMessageContaining("'topic.replication.factor'").hasMessageContaining("'40000'");
        assertThatThrownBy(() -> AppConfig.from(Map.of("max.line.quantity", "Infinity"), Map.of()))
                .hasMessageContaining("'max.line.quantity'").hasMessageContaining("a finite number > 0");
    }

    @Test
    void aBadRegistryUrlIsShownWithItsPasswordMasked() {
        assertThatThrownBy(() -> AppConfig.from(Map.of("schema.registry.url", "ftp://svc:urlpa55@registry:21/"),
                Map.of()))
                .hasMessageContaining("'schema.registry.url'").hasMessageContaining("http://")
                .hasMessageNotContaining("urlpa55");
    }
}
