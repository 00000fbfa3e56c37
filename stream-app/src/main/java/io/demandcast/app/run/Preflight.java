package io.demandcast.app.run;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.RecordTimestamps;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Checks at start that the broker and the schema registry answer and accept the app's credentials, so that a wrong
 * address or password fails at once with a message naming the key to fix, instead of Kafka clients retrying in the
 * background for minutes. {@code run}, {@code produce}, {@code tail} and {@code models} all start with these checks.
 */
public final class Preflight {

    /** How long {@code produce}, {@code tail} and {@code models} wait for the broker and the registry at start. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    static final String USER_INFO_KEY = "schema.registry.basic.auth.user.info";
    private static final Pattern JAAS_SECRET = Pattern.compile("(?i)(?:password|secret)\\w*\\s*=\\s*\"([^\"]*)\"");

    private Preflight() {
    }

    /**
     * Checks that the broker answers and accepts the app's credentials, and that the registry does: what a command
     * that talks to both does first.
     *
     * @throws StartupException naming the key to fix
     */
    public static void checkServers(AppConfig config, Duration timeout) {
        try (Admin admin = admin(config, timeout)) {
            checkBroker(admin, config, timeout);
        }
        checkRegistry(config, timeout);
    }

    /** An Admin client on the broker of {@code config}, its security settings included. */
    public static Admin admin(AppConfig config, Duration timeout) {
        try {
            return Admin.create(ForecasterApp.adminProperties(config, timeout));
        } catch (KafkaException e) {
            // A malformed sasl.jaas.config, an unknown mechanism, an unreadable keystore: the client cannot be made.
            throw new StartupException("the Kafka client settings are not usable (the broker's security settings "
                    + "streams.security.protocol, streams.sasl.*, streams.ssl.*): " + scrub(rootMessage(e), config), e);
        }
    }

    /** Fails unless the cluster answers a describeCluster within {@code timeout}; returns its broker count. */
    public static int checkBroker(Admin admin, AppConfig config, Duration timeout) {
        try {
            return admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof AuthenticationException) {
                throw new StartupException("the Kafka broker at " + config.bootstrapServers() + " refused the app's "
                        + "credentials: " + cause.getMessage() + ". Check " + credentialKeys(config, cause), cause);
            }
            String security = config.brokerSecurityProtocol().equals("PLAINTEXT")
                    ? "; if the broker requires authentication, set streams.security.protocol, "
                    + "streams.sasl.mechanism and streams.sasl.jaas.config"
                    : "; streams.security.protocol is " + config.brokerSecurityProtocol()
                    + ": is that what the listener at bootstrap.servers speaks?";
            throw new StartupException("the Kafka broker at " + config.bootstrapServers()
                    + " did not answer within " + timeout.toSeconds() + " s (bootstrap.servers, env "
                    + AppConfig.envName("bootstrap.servers") + "; is it running? `forecaster infra up` starts one"
                    + security + "): " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while waiting for the Kafka broker at "
                    + config.bootstrapServers(), e);
        }
    }

    /** Fails unless the registry answers {@code GET <url>/subjects} with 200 within {@code timeout}. */
    public static void checkRegistry(AppConfig config, Duration timeout) {
        String url = config.schemaRegistryUrl().replaceAll("/+$", "") + "/subjects";
        String where = "the schema registry at " + config.schemaRegistryUrl();
        String fix = " (schema.registry.url, env " + AppConfig.envName("schema.registry.url") + ")";
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(timeout);
        SerdeConfig.Tls tls = config.serdeConfig().tls();
        if (tls.configured()) {
            client.sslContext(tls.sslContext());
        }
        HttpClient http = client.build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
        if (config.schemaRegistryBasicAuth() != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    config.schemaRegistryBasicAuth().getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status == 401 || status == 403) {
                String user = config.schemaRegistryBasicAuth() == null ? null
                        : config.schemaRegistryBasicAuth().substring(0, config.schemaRegistryBasicAuth().indexOf(':'));
                throw new StartupException(where + " answered GET " + url + " with HTTP " + status + ": "
                        + (user == null ? "it requires credentials; set " + USER_INFO_KEY + " to user:password"
                        : status == 401 ? "it refused the credentials of user '" + user + "'; check " + USER_INFO_KEY
                        : "user '" + user + "' may not read the registry; check " + USER_INFO_KEY
                        + " and the user's roles in the registry")
                        + " (env " + AppConfig.envName(USER_INFO_KEY) + ")", null);
            }
            if (status != 200) {
                String body = response.body();
                throw new StartupException(where + " answered GET " + url + " with HTTP " + status
                        + ", expected 200 and a list of subjects" + fix + ": "
                        + (body.length() > 300 ? body.substring(0, 300) + "..." : body), null);
            }
        } catch (SSLException e) {
            // Retrying cannot fix a handshake: name the keys that can.
            throw new StartupException("TLS with " + where + " failed: " + e.getMessage() + "; for a registry "
                    + "certificate the JVM does not trust, set " + SerdeConfig.TRUSTSTORE_LOCATION + " (env "
                    + AppConfig.envName(SerdeConfig.TRUSTSTORE_LOCATION) + "), and "
                    + SerdeConfig.KEYSTORE_LOCATION + " when the registry asks for a client certificate", e);
        } catch (IOException e) {
            throw new StartupException(where + " did not answer within " + timeout.toSeconds() + " s" + fix
                    + "; is it running? `forecaster infra up` starts one: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while waiting for " + where, e);
        }
    }

    /**
     * The record timestamps the broker and the app's output topics accept (their message.timestamp.*.max.ms), so
     * that no record the app writes is refused for its timestamp; fails when the broker cannot say.
     */
    public static RecordTimestamps recordTimestamps(Admin admin, AppConfig config, Duration timeout) {
        var names = config.topicNames();
        try {
            return RecordTimestamps.read(admin, List.of(names.ordersDlq(), names.salesActuals(), names.forecasts()),
                    timeout);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartupException("the Kafka broker at " + config.bootstrapServers() + " did not describe its "
                    + "and the output topics' message timestamp limits within " + timeout.toSeconds() + " s "
                    + "(the app needs DescribeConfigs on the cluster and on those topics" + accessHint(config, cause)
                    + "): " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while reading the broker's timestamp limits", e);
        }
    }

    /**
     * What to check when the broker refused an operation for want of credentials or of ACLs; empty for any other
     * failure. README, "Secured clusters", lists the ACLs the app needs.
     */
    public static String accessHint(AppConfig config, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException) {
                return "; the broker refused the app's credentials: check " + credentialKeys(config, t);
            }
            if (t instanceof AuthorizationException) {
                return "; the broker's ACLs do not allow it to the app's user (the one of streams.sasl.jaas.config):"
                        + " grant the ACLs of README, \"Secured clusters\"";
            }
        }
        return "";
    }

    private static String credentialKeys(AppConfig config, Throwable failure) {
        if (failure instanceof SslAuthenticationException || config.brokerSecurityProtocol().equals("SSL")) {
            return "the TLS settings streams.ssl.* (keystore, truststore) and streams.security.protocol";
        }
        return "the user and password in streams.sasl.jaas.config (with streams.sasl.mechanism and "
                + "streams.security.protocol; streams.* keys come from the --config file or from DEMANDCAST_STREAMS_* "
                + "variables)";
    }

    /** {@code message} with every secret of {@code config} in it masked: a parser may quote what it could not read. */
    static String scrub(String message, AppConfig config) {
        List<String> secrets = new ArrayList<>();
        config.streamsOverrides().forEach((k, v) -> {
            if (AppConfig.isSecret(k)) {
                Matcher m = JAAS_SECRET.matcher(v);
                while (m.find()) {
                    secrets.add(m.group(1));
                }
                secrets.add(v);
            }
        });
        if (config.schemaRegistryBasicAuth() != null) {
            secrets.add(config.schemaRegistryBasicAuth());
            secrets.add(config.schemaRegistryBasicAuth().substring(config.schemaRegistryBasicAuth().indexOf(':') + 1));
        }
        String scrubbed = message;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                scrubbed = scrubbed.replace(secret, "****");
            }
        }
        return scrubbed;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
    }
}
