package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SerdeConfigTest {

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> props = new HashMap<>();
        props.put(SerdeConfig.URL, "http://127.0.0.1:8081/apis/ccompat/v7");
        props.put(key, value);
        return props;
    }

    @Test
    void readsTheDefaultsFromJustAUrlAndIgnoresOtherClientsKeys() {
        SerdeConfig config = SerdeConfig.fromProperties(Map.of(
                SerdeConfig.URL, "http://127.0.0.1:8081/apis/ccompat/v7/",
                "bootstrap.servers", "127.0.0.1:9092",
                "application.id", "forecaster"));

        assertThat(config.registryUrl()).isEqualTo(URI.create("http://127.0.0.1:8081/apis/ccompat/v7"));
        assertThat(config.autoRegister()).isTrue();
        assertThat(config.basicAuthUserInfo()).isEmpty();
        assertThat(config.tls().configured()).isFalse();
        assertThat(config.retryMaxWait()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsEverySettingFromStringsAsKafkaPropertiesFilesGiveThem() {
        SerdeConfig config = SerdeConfig.fromProperties(Map.of(
                SerdeConfig.URL, "http://registry:8081",
                SerdeConfig.AUTO_REGISTER, "false",
                SerdeConfig.BASIC_AUTH_SOURCE, "USER_INFO",
                SerdeConfig.BASIC_AUTH_USER_INFO, "forecaster:pa:ss",
                SerdeConfig.REQUEST_TIMEOUT_MS, "2500",
                SerdeConfig.RETRY_BACKOFF_MS, "20",
                SerdeConfig.RETRY_BACKOFF_MAX_MS, "400",
                SerdeConfig.RETRY_MAX_WAIT_MS, "0"));

        assertThat(config.autoRegister()).isFalse();
        assertThat(config.basicAuthUserInfo()).contains("forecaster:pa:ss");
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofMillis(20));
        assertThat(config.retryBackoffMax()).isEqualTo(Duration.ofMillis(400));
        assertThat(config.retryMaxWait()).isZero();
        assertThat(config.toString()).contains("forecaster:(hidden)").doesNotContain("pa:ss");
    }

    @Test
    void aMissingUrlIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> SerdeConfig.fromProperties(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.URL)
                .hasMessageContaining("is required");
    }

    @Test
    void aUrlThatIsNotHttpIsRefusedWithTheValue() {
        assertThatThrownBy(() -> SerdeConfig.of("ftp://127.0.0.1:8081"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.URL)
                .hasMessageContaining("ftp://127.0.0.1:8081")
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> SerdeConfig.of("127.0.0.1:8081"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("127.0.0.1:8081");
        assertThatThrownBy(() -> SerdeConfig.of("http://a:8081,http://b:8081"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected one URL");
    }

    @Test
    void credentialsAreReadUnderConfluentsSchemaRegistryPrefixedNameToo() {
        SerdeConfig config = SerdeConfig.fromProperties(Map.of(SerdeConfig.URL, "http://registry:8081",
                SerdeConfig.REGISTRY_BASIC_AUTH_USER_INFO, "forecaster:s3cret"));

        assertThat(config.basicAuthUserInfo()).contains("forecaster:s3cret");
        assertThat(config.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> SerdeConfig.fromProperties(Map.of(SerdeConfig.URL, "http://registry:8081",
                SerdeConfig.REGISTRY_BASIC_AUTH_USER_INFO, ":s3cret")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.REGISTRY_BASIC_AUTH_USER_INFO)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> SerdeConfig.of("http://user:topsecret@127.0.0.1:8081"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.BASIC_AUTH_USER_INFO)
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void aBooleanThatIsNotTrueOrFalseIsRefused() {
        assertThatThrownBy(() -> SerdeConfig.fromProperties(with(SerdeConfig.AUTO_REGISTER, "yes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value yes for configuration " + SerdeConfig.AUTO_REGISTER)
                .hasMessageContaining("expected true or false");
    }

    @Test
    void durationsMustBeWholeNonNegativeMilliseconds() {
        assertThatThrownBy(() -> SerdeConfig.fromProperties(with(SerdeConfig.RETRY_MAX_WAIT_MS, "30s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value 30s for configuration " + SerdeConfig.RETRY_MAX_WAIT_MS)
                .hasMessageContaining("whole number of milliseconds");
        assertThatThrownBy(() -> SerdeConfig.fromProperties(with(SerdeConfig.REQUEST_TIMEOUT_MS, -5)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value -5 for configuration " + SerdeConfig.REQUEST_TIMEOUT_MS)
                .hasMessageContaining("at least 1 ms");
        Map<String, Object> props = with(SerdeConfig.RETRY_BACKOFF_MS, "500");
        props.put(SerdeConfig.RETRY_BACKOFF_MAX_MS, "100");
        assertThatThrownBy(() -> SerdeConfig.fromProperties(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.RETRY_BACKOFF_MAX_MS)
                .hasMessageContaining("at least " + SerdeConfig.RETRY_BACKOFF_MS + " (500)");
    }

    @Test
    void userInfoWithoutAUserIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> SerdeConfig.fromProperties(with(SerdeConfig.BASIC_AUTH_USER_INFO, ":hunter2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.BASIC_AUTH_USER_INFO)
                .hasMessageContaining("user:password")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> SerdeConfig.fromProperties(with(SerdeConfig.BASIC_AUTH_SOURCE, "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SASL_INHERIT")
                .hasMessageContaining("only USER_INFO");
    }

    @Test
    void aMisspeltRegistryKeyIsRefusedRatherThanIgnored() {
        assertThatThrownBy(() -> SerdeConfig.fromProperties(
                with("schema.registry.ssl.truststore.locaton", "/etc/trust.p12")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.ssl.truststore.locaton")
                .hasMessageContaining("unknown schema registry setting")
                .hasMessageContaining(SerdeConfig.TRUSTSTORE_LOCATION);
    }

    @Test
    void tlsStoresMustExistAndGoWithAnHttpsUrl(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.p12");
        Map<String, Object> https = new HashMap<>(Map.of(SerdeConfig.URL, "https://registry:8081",
                SerdeConfig.TRUSTSTORE_LOCATION, missing.toString()));
        assertThatThrownBy(() -> SerdeConfig.fromProperties(https))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.TRUSTSTORE_LOCATION)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("expected a readable file");

        Path present = Files.writeString(dir.resolve("trust.p12"), "not really a store");
        assertThatThrownBy(() -> SerdeConfig.fromProperties(with(SerdeConfig.TRUSTSTORE_LOCATION, present.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.URL)
                .hasMessageContaining("not https");
        assertThatThrownBy(() -> SerdeConfig.fromProperties(with(SerdeConfig.KEYSTORE_TYPE, "PEM")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.KEYSTORE_TYPE)
                .hasMessageContaining("PKCS12 or JKS");
    }

    @Test
    void anUnreadableTruststoreIsRefusedWhenTheClientIsBuilt(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("trust.p12"), "not really a store");
        SerdeConfig config = SerdeConfig.fromProperties(Map.of(SerdeConfig.URL, "https://registry:8081",
                SerdeConfig.TRUSTSTORE_LOCATION, garbage.toString(), SerdeConfig.TRUSTSTORE_PASSWORD, "pw"));

        assertThatThrownBy(() -> new SchemaRegistryClient(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SerdeConfig.TRUSTSTORE_LOCATION)
                .hasMessageContaining(garbage.toString())
                .hasMessageContaining("PKCS12");
    }
}
