package io.demandcast.app.web;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.aggregate.SeriesState;
import io.demandcast.model.Bucket;
import io.demandcast.schemas.avro.Forecast;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries of the latest forecast per series ({@link BucketAggregator#latestForecast}): Kafka
 * Streams says which instance holds the series' partition; this instance answers from its store, or asks that
 * instance over HTTP at its {@code application.server}.
 */
public final class ForecastQueries implements ForecastLookup {

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http;
    private final Duration timeout;
    private final Bucket bucket;
    private final Deserializer<Forecast> decoder;
    private final String topic;

    /**
     * @param bucket the app's bucket, from which a stored forecast's step starts are rebuilt
     * @param decoder reads forecasts kept in the wire format of {@code topic} ({@code forecasts})
     */
    public ForecastQueries(KafkaStreams streams, HostInfo self, Duration timeout, Bucket bucket,
                           Deserializer<Forecast> decoder, String topic) {
        this.streams = streams;
        this.bucket = bucket;
        this.decoder = decoder;
        this.topic = topic;
        this.self = self;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Answer latest(String series, boolean localOnly) {
        KeyQueryMetadata where;
        try {
            where = streams.queryMetadataForKey(BucketAggregator.SERIES_STATE_STORE, series,
                    Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return unavailable("the stream is not running (" + streams.state() + ")");
        }
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return unavailable("no instance holds the forecasts yet (state " + streams.state()
                    + "); retry in a moment");
        }
        if (localOnly || where.activeHost().equals(self)) {
            return local(series, where.partition());
        }
        return remote(series, where.activeHost());
    }

    private Answer local(String series, int partition) {
        try {
            ReadOnlyKeyValueStore<String, SeriesState> states = streams.store(StoreQueryParameters
                    .fromNameAndType(BucketAggregator.SERIES_STATE_STORE,
                            QueryableStoreTypes.<String, SeriesState>keyValueStore())
                    .withPartition(partition));
            ReadOnlyKeyValueStore<String, byte[]> retired = streams.store(StoreQueryParameters
                    .fromNameAndType(BucketAggregator.RETIRED_FORECASTS_STORE,
                            QueryableStoreTypes.<String, byte[]>keyValueStore())
                    .withPartition(partition));
            Forecast latest = BucketAggregator.latestForecast(states, retired, series, bucket, decoder, topic);
            if (latest == null) {
                return message(404, "no forecast for series '" + series + "': unknown series, or none of its "
                        + "buckets has closed yet");
            }
            return Answer.found(AvroJson.toJsonLine(latest));
        } catch (InvalidStateStoreException e) {
            return unavailable("the forecasts of partition " + partition + " are moving between instances ("
                    + e.getMessage() + "); retry in a moment");
        }
    }

    private Answer remote(String series, HostInfo host) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + "/forecasts/"
                + URLEncoder.encode(series, StandardCharsets.UTF_8).replace("+", "%20") + "?local=true");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return message(502, "the instance at " + host.host() + ":" + host.port() + " that holds series '"
                    + series + "' did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted while asking " + host.host() + ":" + host.port());
        }
    }

    private static Answer unavailable(String why) {
        return message(503, why);
    }

    static Answer message(int status, String text) {
        return new Answer(status, AvroJson.write(JsonNodeFactory.instance.objectNode().put("status", status)
                .put("message", text)));
    }
}
