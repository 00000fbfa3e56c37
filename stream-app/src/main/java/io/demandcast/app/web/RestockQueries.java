package io.demandcast.app.web;

import io.demandcast.app.alerts.RestockAlerts;
import io.demandcast.schemas.avro.RestockAlert;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries of each product's latest restock evaluation ({@link RestockAlerts#STATE_STORE}): state RAISED
 * or CLEARED with the numbers it was decided on, from whichever instance holds the product.
 */
public final class RestockQueries implements ForecastLookup {

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http;
    private final Duration timeout;

    public RestockQueries(KafkaStreams streams, HostInfo self, Duration timeout) {
        this.streams = streams;
        this.self = self;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Answer latest(String product, boolean localOnly) {
        KeyQueryMetadata where;
        try {
            where = streams.queryMetadataForKey(RestockAlerts.STATE_STORE, product, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return ForecastQueries.message(503, "the stream is not running (" + streams.state() + ")");
        }
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return ForecastQueries.message(503, "no instance holds the restock state yet (state " + streams.state()
                    + "); retry in a moment");
        }
        if (localOnly || where.activeHost().equals(self)) {
            return local(product, where.partition());
        }
        return remote(product, where.activeHost());
    }

    private Answer local(String product, int partition) {
        try {
            ReadOnlyKeyValueStore<String, RestockAlert> states = streams.store(StoreQueryParameters
                    .fromNameAndType(RestockAlerts.STATE_STORE,
                            QueryableStoreTypes.<String, RestockAlert>keyValueStore())
                    .withPartition(partition));
            RestockAlert latest = states.get(product);
            if (latest == null) {
                return ForecastQueries.message(404, "no restock state for product '" + product + "': it has no "
                        + "valid inventory level, or no forecast since its level came");
            }
            return Answer.found(AvroJson.toJsonLine(latest));
        } catch (InvalidStateStoreException e) {
            return ForecastQueries.message(503, "the restock state of partition " + partition + " is moving between "
                    + "instances (" + e.getMessage() + "); retry in a moment");
        }
    }

    private Answer remote(String product, HostInfo host) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + "/restock/"
                + URLEncoder.encode(product, StandardCharsets.UTF_8).replace("+", "%20") + "?local=true");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return ForecastQueries.message(502, "the instance at " + host.host() + ":" + host.port()
                    + " that holds product '" + product + "' did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ForecastQueries.message(503, "interrupted while asking " + host.host() + ":" + host.port());
        }
    }
}
