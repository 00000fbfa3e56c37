package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import io.demandcast.schemas.testkit.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client against the real registry, and, for what a healthy registry never does (answer 503,
 * demand credentials, speak TLS with our own certificate), against a minimal HTTP server on 127.0.0.1 that
 * records what it was sent.
 */
class SchemaRegistryClientTest {

    private static final String URL = RegistryServer.shared().url();
    private static final SchemaRegistryClient CLIENT = new SchemaRegistryClient(SerdeConfig.of(URL));

    @Test
    void registeringTheSameSchemaTwiceGivesTheSameIdAndLookupFindsIt() {
        String subject = KafkaBroker.uniqueTopic("inventory") + "-value";
        SchemaRegistryClient fresh = new SchemaRegistryClient(SerdeConfig.of(URL));

        int id = CLIENT.register(subject, InventoryLevel.getClassSchema());

        assertThat(fresh.register(subject, InventoryLevel.getClassSchema())).isEqualTo(id);
        assertThat(fresh.idOf(subject, InventoryLevel.getClassSchema())).isEqualTo(id);
        assertThat(fresh.schemaById(id)).isEqualTo(InventoryLevel.getClassSchema());
    }

    @Test
    void lookingUpASchemaUnderAnUnknownSubjectIsNotFound() {
        String subject = KafkaBroker.uniqueTopic("never-written") + "-value";

        assertThatThrownBy(() -> CLIENT.idOf(subject, SalesBucket.getClassSchema()))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.NOT_FOUND);
                    assertThat(e.httpStatus()).isEqualTo(404);
                })
                .hasMessageContaining(subject);
    }

    @Test
    void aSubjectSoftDeletedIsListedOnlyAsDeletedAndAPermanentDeleteRemovesItFromBothLists() {
        String prefix = KafkaBroker.uniqueTopic("short-lived");
        String sales = prefix + "-sales-value";
        String inventory = prefix + "-inventory-value";
        CLIENT.register(sales, SalesBucket.getClassSchema());
        CLIENT.register(inventory, InventoryLevel.getClassSchema());
        assertThat(CLIENT.subjects(false)).contains(sales, inventory);

        assertThat(CLIENT.deleteSubject(sales, false)).containsExactly(1);

        assertThat(CLIENT.subjects(false)).contains(inventory).doesNotContain(sales);
        assertThat(CLIENT.subjects(true)).contains(sales, inventory);

        assertThat(CLIENT.deleteSubject(sales, true)).containsExactly(1);

        assertThat(CLIENT.subjects(true)).contains(inventory).doesNotContain(sales);
        // Registering again after the delete is a new subject, not an answer from the client's cache.
        CLIENT.register(sales, SalesBucket.getClassSchema());
        assertThat(CLIENT.subjects(false)).contains(sales);
    }

    @Test
    void deletingAnUnknownSubjectIsNotFound() {
        String subject = KafkaBroker.uniqueTopic("never-registered") + "-value";

        assertThatThrownBy(() -> CLIENT.deleteSubject(subject, false))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.NOT_FOUND))
                .hasMessageContaining(subject);
    }

    @Test
    void anUnknownIdIsNotFound() {
        assertThatThrownBy(() -> CLIENT.schemaById(Integer.MAX_VALUE))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.NOT_FOUND))
                .hasMessageContaining("schema id " + Integer.MAX_VALUE);
    }

    @Test
    void sendsTheRegistryContentTypeAndBasicAuthentication() throws IOException {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " | "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " | "
                    + exchange.getRequestHeaders().getFirst("Authorization") + " | " + body(exchange));
            answer(exchange, 200, "{\"id\":42}");
        });
        server.start();
        try {
            SchemaRegistryClient client = new SchemaRegistryClient(SerdeConfig.fromProperties(Map.of(
                    SerdeConfig.URL, "http://127.0.0.1:" + server.getAddress().getPort() + "/ccompat",
                    SerdeConfig.BASIC_AUTH_USER_INFO, "forecaster:s3cret")));

            int id = client.register("sales-value", SalesBucket.getClassSchema());

            assertThat(id).isEqualTo(42);
            String basic = "Basic " + Base64.getEncoder().encodeToString("forecaster:s3cret".getBytes(StandardCharsets.UTF_8));
            assertThat(seen).singleElement().asString()
                    .startsWith("POST /ccompat/subjects/sales-value/versions?normalize=true | "
                            + "application/vnd.schemaregistry.v1+json | " + basic + " | {\"schema\":")
                    .contains("SalesBucket");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void retriesA503UntilTheRegistryRecovers() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            body(exchange);
            if (calls.incrementAndGet() <= 2) {
                answer(exchange, 503, "{\"error_code\":50003,\"message\":\"store is starting\"}");
            } else {
                answer(exchange, 200, "{\"id\":7}");
            }
        });
        server.start();
        try {
            SchemaRegistryClient client = new SchemaRegistryClient(SerdeConfig.fromProperties(Map.of(
                    SerdeConfig.URL, "http://127.0.0.1:" + server.getAddress().getPort(),
                    SerdeConfig.RETRY_BACKOFF_MS, "10")));

            assertThat(client.register("sales-value", SalesBucket.getClassSchema())).isEqualTo(7);
            assertThat(calls).hasValue(3);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aRegistryThatKeepsAnswering503FailsAfterTheRetryBudgetWithItsMessage() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            calls.incrementAndGet();
            answer(exchange, 503, "{\"error_code\":50003,\"message\":\"store is starting\"}");
        });
        server.start();
        try {
            SchemaRegistryClient client = new SchemaRegistryClient(SerdeConfig.fromProperties(Map.of(
                    SerdeConfig.URL, "http://127.0.0.1:" + server.getAddress().getPort(),
                    SerdeConfig.RETRY_BACKOFF_MS, "20",
                    SerdeConfig.RETRY_MAX_WAIT_MS, "500")));

            assertThatThrownBy(() -> client.schemaById(3))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(SchemaRegistryException.Reason.UNAVAILABLE))
                    .hasMessageContaining("fetching schema id 3")
                    .hasMessageContaining("HTTP 503 store is starting")
                    .hasMessageContaining("within 500 ms");
            assertThat(calls.get()).isGreaterThan(1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void talksTlsWithTheConfiguredTruststoreAndRefusesAnUntrustedServerAtOnce(@TempDir Path dir) throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        server.createContext("/", exchange -> answer(exchange, 200,
                "{\"schema\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(SalesBucket.getClassSchema().toString()) + "}"));
        server.start();
        try {
            String url = "https://127.0.0.1:" + server.getAddress().getPort();
            SchemaRegistryClient trusting = new SchemaRegistryClient(SerdeConfig.fromProperties(Map.of(
                    SerdeConfig.URL, url,
                    SerdeConfig.TRUSTSTORE_LOCATION, certificate.truststore().toString(),
                    SerdeConfig.TRUSTSTORE_PASSWORD, certificate.truststorePassword())));
            SchemaRegistryClient untrusting = new SchemaRegistryClient(SerdeConfig.of(url));

            assertThat(trusting.schemaById(5)).isEqualTo(SalesBucket.getClassSchema());
            long started = System.nanoTime();
            assertThatThrownBy(() -> untrusting.schemaById(5))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("TLS with the schema registry at " + url + " failed")
                    .hasMessageContaining(SerdeConfig.TRUSTSTORE_LOCATION);
            assertThat(System.nanoTime() - started).as("no retries of a failed handshake")
                    .isLessThan(TimeUnit.SECONDS.toNanos(5));
        } finally {
            server.stop(0);
        }
    }

    private static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
