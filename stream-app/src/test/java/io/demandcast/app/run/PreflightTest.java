package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.app.config.AppConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** The start checks' messages for settings a secured cluster needs: they name the key and never show a secret. */
class PreflightTest {

    private static final String SECRET = "s3cret-in-jaas";

    @Test
    void aMalformedJaasConfigFailsNamingTheSecuritySettingsWithoutShowingThePassword() {
        AppConfig config = AppConfig.from(Map.of("bootstrap.servers", "127.0.0.1:1",
                "streams.security.protocol", "SASL_PLAINTEXT", "streams.sasl.mechanism", "PLAIN",
                // No closing ';': Kafka cannot parse it.
                "streams.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"forecaster\" password=\"" + SECRET + "\""), Map.of());

        assertThatThrownBy(() -> Preflight.admin(config, Duration.ofSeconds(2)).close())
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("streams.sasl.*")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void aRefusalByTheBrokerPointsAtTheCredentialsOrAtTheAcls() {
        AppConfig config = AppConfig.from(Map.of("streams.security.protocol", "SASL_PLAINTEXT"), Map.of());

        assertThat(Preflight.accessHint(config, new RuntimeException(new SaslAuthenticationException("bad login"))))
                .contains("streams.sasl.jaas.config");
        assertThat(Preflight.accessHint(config, new TopicAuthorizationException("no")))
                .contains("ACLs").contains("Secured clusters");
        assertThat(Preflight.accessHint(config, new IllegalStateException("other"))).isEmpty();
    }

    @Test
    void scrubMasksEveryConfiguredSecretAMessageQuotes() {
        AppConfig config = AppConfig.from(Map.of("schema.registry.basic.auth.user.info", "svc:reg-pa55",
                "streams.sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"" + SECRET + "\";"),
                Map.of());

        assertThat(Preflight.scrub("cannot parse near password=\"" + SECRET + "\" and svc:reg-pa55", config))
                .doesNotContain(SECRET, "reg-pa55").contains("****");
    }
}
