package io.demandcast.app.topology;

import io.demandcast.schemas.avro.Forecast;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Encodes each forecast once, in the wire format of {@code forecasts}, keeps those bytes as the series' latest
 * forecast (the store REST answers from) and passes them on to the {@code forecasts} sink.
 *
 * <p>It replaces a {@code toTable} on the forecast stream, which cost more than the whole forecast cycle at
 * 100,000 series: the aggregator's output counts as re-keyed, so Kafka Streams put an extra repartition topic in
 * front of the table, and every forecast was encoded three times (sink, repartition, table store) and decoded
 * once (profiled with JFR in {@code bench cycle}). The aggregator already runs in the task that owns the series'
 * partition, so the store can live there with no repartition at all.
 */
final class LatestForecasts implements Processor<String, Forecast, String, byte[]> {

    private final Serializer<Forecast> encoder;
    private final String topic;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> latest;

    LatestForecasts(Serializer<Forecast> encoder, String topic) {
        this.encoder = encoder;
        this.topic = topic;
    }

    /**
     * Series -> the encoded latest forecast, with a changelog. Not cached: every close replaces every entry, so a
     * cache would only copy them once more before the flush.
     */
    static StoreBuilder<KeyValueStore<String, byte[]>> store() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ForecastTopology.LATEST_FORECAST_STORE),
                Serdes.String(), Serdes.ByteArray()).withCachingDisabled();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.latest = context.getStateStore(ForecastTopology.LATEST_FORECAST_STORE);
    }

    @Override
    public void process(Record<String, Forecast> record) {
        byte[] bytes = encoder.serialize(topic, record.headers(), record.value());
        latest.put(record.key(), bytes);
        context.forward(record.withValue(bytes));
    }
}
