package io.demandcast.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Liveness and readiness are two answers: an instance that is alive but not processing is not ready. */
class RestServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(RestServer server, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRebalancingInstanceIsAliveButNotReadyUntilItRuns() throws Exception {
        AtomicReference<RestServer.Health> live = new AtomicReference<>(new RestServer.Health(true, "REBALANCING"));
        AtomicReference<RestServer.Health> ready = new AtomicReference<>(new RestServer.Health(false, "REBALANCING"));
        try (RestServer server = RestServer.bind("127.0.0.1", 0)) {
            server.start((series, local) -> ForecastQueries.message(404, "none"), live::get, ready::get, () -> "");

            assertThat(get(server, "/health").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(server, "/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"status\":\"DOWN\"").contains("REBALANCING");

            ready.set(new RestServer.Health(true, "RUNNING"));
            HttpResponse<String> nowReady = get(server, "/ready");
            assertThat(nowReady.statusCode()).isEqualTo(200);
            assertThat(nowReady.body()).contains("\"status\":\"UP\"");
        }
    }
}
