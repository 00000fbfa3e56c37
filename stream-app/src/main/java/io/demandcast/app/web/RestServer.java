package io.demandcast.app.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's HTTP endpoints on the JDK's HTTP server:
 * <ul>
 *   <li>{@code GET /forecasts/{series}}: the series' latest forecast as JSON (404 with a JSON message when there
 *       is none), from whichever instance holds it;</li>
 *   <li>{@code GET /restock/{product}}: the product's latest restock evaluation (state RAISED or CLEARED) as
 *       JSON, 404 when it has none;</li>
 *   <li>{@code GET /health}: liveness, 200 while the stream runs or rebalances, 503 otherwise, with the state;</li>
 *   <li>{@code GET /ready}: readiness, 200 only while this instance processes: the stream runs (not rebalancing)
 *       and no state is being restored; 503 with what it waits for otherwise;</li>
 *   <li>{@code GET /metrics}: the metrics in the Prometheus text format.</li>
 * </ul>
 * It binds at {@link #bind} (so the port is known, and can be advertised, before the stream starts) and serves
 * from {@link #start}.
 */
public final class RestServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    /** The Prometheus text exposition format, version 0.0.4, which the metrics supplier writes. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** The stream's state as the health and readiness endpoints report it. */
    public record Health(boolean up, String state) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private boolean started;

    private RestServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code host:port} ({@code port} 0: any free port). */
    public static RestServer bind(String host, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
            AtomicInteger n = new AtomicInteger();
            ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "rest-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            return new RestServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve REST on " + host + ":" + port
                    + " (rest.host, rest.port; is the port in use?): " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Starts serving, without restock alerts ({@code /restock/} answers 404). */
    public void start(ForecastLookup forecasts, Supplier<Health> health, Supplier<Health> ready,
                      Supplier<String> metrics) {
        start(forecasts, (product, localOnly) -> ForecastQueries.message(404, "restock alerts are not served here"),
                health, ready, metrics);
    }

    /** Starts serving. */
    public synchronized void start(ForecastLookup forecasts, ForecastLookup restock, Supplier<Health> health,
                                   Supplier<Health> ready, Supplier<String> metrics) {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        server.createContext("/forecasts/", exchange -> handle(exchange, () -> {
            String path = exchange.getRequestURI().getRawPath();
            String series = URLDecoder.decode(path.substring("/forecasts/".length()), StandardCharsets.UTF_8);
            if (series.isEmpty()) {
                return ForecastQueries.message(404, "expected /forecasts/{series}, got " + path);
            }
            String query = exchange.getRequestURI().getRawQuery();
            boolean localOnly = query != null && query.contains("local=true");
            return forecasts.latest(series, localOnly);
        }, JSON));
        server.createContext("/restock/", exchange -> handle(exchange, () -> {
            String path = exchange.getRequestURI().getRawPath();
            String product = URLDecoder.decode(path.substring("/restock/".length()), StandardCharsets.UTF_8);
            if (product.isEmpty()) {
                return ForecastQueries.message(404, "expected /restock/{product}, got " + path);
            }
            String query = exchange.getRequestURI().getRawQuery();
            return restock.latest(product, query != null && query.contains("local=true"));
        }, JSON));
        server.createContext("/health", exchange -> handle(exchange, () -> status(health.get()), JSON));
        server.createContext("/ready", exchange -> handle(exchange, () -> status(ready.get()), JSON));
        server.createContext("/metrics", exchange -> handle(exchange,
                () -> new ForecastLookup.Answer(200, metrics.get()), PROMETHEUS_TEXT));
        server.createContext("/", exchange -> handle(exchange, () -> ForecastQueries.message(404,
                "no such endpoint: " + exchange.getRequestURI().getPath()
                        + "; there are /forecasts/{series}, /restock/{product}, /health, /ready and /metrics"),
                JSON));
        server.start();
        LOG.info("REST on http://{}:{} (/forecasts/{series}, /restock/{product}, /health, /ready, /metrics)",
                server.getAddress().getHostString(), server.getAddress().getPort());
    }

    private static ForecastLookup.Answer status(Health h) {
        return new ForecastLookup.Answer(h.up() ? 200 : 503, AvroJson.write(JsonNodeFactory.instance
                .objectNode().put("status", h.up() ? "UP" : "DOWN").put("state", h.state())));
    }

    private interface Route {
        ForecastLookup.Answer answer();
    }

    private static void handle(HttpExchange exchange, Route route, String contentType) throws IOException {
        try (exchange) {
            ForecastLookup.Answer answer;
            String type = contentType;
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                answer = ForecastQueries.message(405, "only GET is served; got " + exchange.getRequestMethod());
                type = JSON;
            } else {
                try {
                    answer = route.answer();
                } catch (RuntimeException e) {
                    LOG.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                    answer = ForecastQueries.message(500, "internal error: " + e);
                    type = JSON;
                }
            }
            byte[] body = answer.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(answer.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
