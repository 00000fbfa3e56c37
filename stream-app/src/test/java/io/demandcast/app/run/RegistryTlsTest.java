package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.config.InvalidConfigException;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.testkit.RegistryServer;
import io.demandcast.schemas.testkit.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that answers only https, with a certificate no JVM trusts by default (a private certificate
 * authority's): with {@code schema.registry.ssl.truststore.*} the app's start check and its serdes talk to it; without,
 * or with a wrong trust store, the start stops naming the key to set.
 */
class RegistryTlsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static SelfSignedCertificate certificate;
    private static RegistryServer registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        certificate = SelfSignedCertificate.create(dir);
        registry = RegistryServer.startTls(certificate);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void withTheTrustStoreTheStartCheckAndTheSerdesTalkTls() {
        assertThat(registry.url()).startsWith("https://");
        AppConfig config = config(Map.of(
                "schema.registry.ssl.truststore.location", certificate.truststore().toString(),
                "schema.registry.ssl.truststore.password", certificate.truststorePassword()));

        Preflight.checkRegistry(config, TIMEOUT);
        OrderEvent order = OrderEvent.newBuilder().setOrderId("tls-1")
                .setEventTime(Instant.parse("2011-01-03T10:00:00Z")).setType(OrderType.SALE)
                .setLines(List.of(new OrderLine("A", 2.0, 1.0))).build();
        try (Serde<OrderEvent> serde = new AvroSerdes(config.serdeConfig()).forValue(OrderEvent.class)) {
            byte[] bytes = serde.serializer().serialize("orders-tls", order);
            assertThat(bytes[0]).as("Confluent wire format: magic byte, then a schema id the registry gave")
                    .isZero();
            // A deserializer of its own, so the schema is fetched from the registry by id, not from a cache.
            try (Serde<OrderEvent> reader = new AvroSerdes(config.serdeConfig()).forValue(OrderEvent.class)) {
                assertThat(reader.deserializer().deserialize("orders-tls", bytes)).isEqualTo(order);
            }
        }
        assertThat(config.describe())
                .containsEntry("schema.registry.ssl.truststore.password", "****")
                .containsEntry("schema.registry.ssl.truststore.location", certificate.truststore().toString());
        assertThat(config.toString()).doesNotContain(certificate.truststorePassword());
    }

    @Test
    void withoutTheTrustStoreTheStartStopsNamingTheKey() {
        AppConfig config = config(Map.of());

        assertThatThrownBy(() -> Preflight.checkRegistry(config, TIMEOUT))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("TLS with the schema registry at " + registry.url())
                .hasMessageContaining("schema.registry.ssl.truststore.location")
                .hasMessageContaining("DEMANDCAST_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION");
    }

    @Test
    void aTrustStoreThatCannotBeReadIsRefusedAtOnceNamingTheKey() {
        assertThatThrownBy(() -> config(Map.of("schema.registry.ssl.truststore.location",
                dir.resolve("missing.p12").toString())))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("schema.registry.ssl.truststore.location"))
                .hasMessageContaining("missing.p12");
        assertThatThrownBy(() -> config(Map.of(
                "schema.registry.ssl.truststore.location", certificate.truststore().toString(),
                "schema.registry.ssl.truststore.password", "not-" + certificate.truststorePassword())))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("schema.registry.ssl.truststore.location"))
                .hasMessageNotContaining("not-" + certificate.truststorePassword());
        assertThatThrownBy(() -> AppConfig.from(Map.of(
                "schema.registry.url", registry.url().replace("https://", "http://"),
                "schema.registry.ssl.truststore.location", certificate.truststore().toString(),
                "schema.registry.ssl.truststore.password", certificate.truststorePassword()), Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("schema.registry.url"));
    }

    private static AppConfig config(Map<String, String> tls) {
        Map<String, String> props = new HashMap<>(tls);
        props.put("schema.registry.url", registry.url());
        return AppConfig.from(props, Map.of());
    }
}
