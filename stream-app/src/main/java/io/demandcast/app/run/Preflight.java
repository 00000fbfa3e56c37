package io.demandcast.app.run;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.RecordTimestamps;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Checks at start that the broker and the schema registry answer, so that a wrong address fails at once with a
 * message naming the key to fix, instead of Kafka clients retrying in the background for minutes.
 */
public final class Preflight {

    private Preflight() {
    }

    /** Fails unless the cluster answers a describeCluster within {@code timeout}; returns its broker count. */
    public static int checkBroker(Admin admin, AppConfig config, Duration timeout) {
        try {
            return admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartupException("the Kafka broker at " + config.bootstrapServers()
                    + " did not answer within " + timeout.toSeconds() + " s (bootstrap.servers, env "
                    + AppConfig.envName("bootstrap.servers") + "; is it running? `forecaster infra up` starts one): "
                    + cause, cause);
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
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET();
        if (config.schemaRegistryBasicAuth() != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    config.schemaRegistryBasicAuth().getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                String body = response.body();
                throw new StartupException(where + " answered GET " + url + " with HTTP " + response.statusCode()
                        + ", expected 200 and a list of subjects" + fix + ": "
                        + (body.length() > 300 ? body.substring(0, 300) + "..." : body), null);
            }
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
                    + "(the app needs DescribeConfigs on the cluster and on those topics): " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while reading the broker's timestamp limits", e);
        }
    }
}
