package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.config.AppConfig;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.registry.AvroSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one app: each answers REST for every series, fetching from the other what it does not hold.
 * Exactly one instance holds a series' forecast, so asking both for each series exercises the remote path.
 */
class InteractiveQueriesTest {

    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz");

    private final HttpClient http = HttpClient.newHttpClient();

    private static boolean running(ForecasterApp app) {
        return app.streams().state() == KafkaStreams.State.RUNNING
                && app.streams().metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty());
    }

    private HttpResponse<String> get(ForecasterApp app, String series) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.restAddress().getPort()
                + "/forecasts/" + series)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachInstanceAnswersForTheSeriesTheOtherHolds(@TempDir Path a, @TempDir Path b) throws Exception {
        Cluster cluster = Cluster.shared();
        AppConfig first = cluster.config(a, "topic.partitions", "2", "grace", "1 bucket");
        // Same application and topics, its own state and REST port.
        Map<String, String> same = new HashMap<>(first.describe());
        same.put("state.dir", b.toString());
        same.remove("schema.registry.basic.auth.user.info");
        same.remove("model.dir");
        AppConfig second = AppConfig.from(same, Map.of());
        try (ForecasterApp one = ForecasterApp.start(first, ForecasterApp.NO_LOADER, Duration.ofSeconds(30));
             ForecasterApp two = ForecasterApp.start(second, ForecasterApp.NO_LOADER, Duration.ofSeconds(30))) {
            Cluster.await("both instances to run with tasks of their own", Duration.ofSeconds(90),
                    () -> running(one) && running(two));
            Cluster.Run produced = Cluster.cli("produce", "--data", DATA.toString(), "--to", "2010-12-04",
                    "--bootstrap-servers", first.bootstrapServers(), "--schema-registry-url",
                    first.schemaRegistryUrl(), "--topic", first.topicNames().orders(), "--no-progress");
            assertThat(produced.exitCode()).as(produced.err()).isZero();

            AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(first));
            Set<String> series = new TreeSet<>();
            try (var forecasts = new TopicReader<>(first.bootstrapServers(), first.topicNames().forecasts(),
                    Serdes.String().deserializer(), serdes.forValue(Forecast.class).deserializer())) {
                Cluster.await("forecasts", Duration.ofSeconds(90), () -> forecasts.drain() > 500);
                forecasts.values().forEach(f -> series.add(f.getSeries()));
            }
            String firstSeries = series.iterator().next();
            Cluster.await("both instances to answer for " + firstSeries, Duration.ofSeconds(60), () -> {
                try {
                    return get(one, firstSeries).statusCode() == 200 && get(two, firstSeries).statusCode() == 200;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            HostInfo oneHost = new HostInfo("127.0.0.1", one.restAddress().getPort());
            HostInfo twoHost = new HostInfo("127.0.0.1", two.restAddress().getPort());
            Map<HostInfo, Integer> holders = new HashMap<>();
            for (String s : List.copyOf(series).subList(0, 40)) {
                HostInfo holder = one.streams().queryMetadataForKey(BucketAggregator.SERIES_STATE_STORE, s,
                        Serdes.String().serializer()).activeHost();
                holders.merge(holder, 1, Integer::sum);
                HttpResponse<String> fromOne = get(one, s);
                HttpResponse<String> fromTwo = get(two, s);
                assertThat(fromOne.statusCode()).as(s + ": " + fromOne.body()).isEqualTo(200);
                assertThat(fromTwo.statusCode()).as(s + ": " + fromTwo.body()).isEqualTo(200);
                // Forecasts still come in, so the two answers may differ in bucket; both are the series' own.
                assertThat(fromOne.body()).contains("\"series\":\"" + s + "\"");
                assertThat(fromTwo.body()).contains("\"series\":\"" + s + "\"");
            }
            // One instance holds each series (Kafka Streams may give it all), so the other answered through it.
            assertThat(holders.keySet()).isNotEmpty().isSubsetOf(oneHost, twoHost);
            assertThat(get(one, "no-such-series").statusCode()).isEqualTo(404);
            assertThat(get(two, "no-such-series").statusCode()).isEqualTo(404);
        }
    }
}
