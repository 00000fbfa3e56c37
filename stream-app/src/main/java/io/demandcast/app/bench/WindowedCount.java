package io.demandcast.app.bench;

import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The baseline the pipeline is measured against: the bare Kafka Streams way to count sales per product and day.
 * Orders are decoded with the same registry serde, exploded into one record per product, repartitioned by product
 * and counted in tumbling windows of one day, with the grace the caller gives, in a RocksDB window store. The record timestamp
 * is the order's event time (the bench's producer sets it). No validation, no zero-fill, no dead letters, no
 * forecasts: it does less than the pipeline, which is what makes it a floor for the pipeline's cost.
 *
 * <p>{@link Emit#EAGER} forwards every update through the record cache (the default emit strategy), so it is the
 * fair throughput baseline; {@link Emit#ON_WINDOW_CLOSE} emits each window once when it closes, the variant whose
 * results docs/ARCHITECTURE.md says can be lost on a fast replay. Output key: {@code product@windowStartMillis}.
 */
public final class WindowedCount {

    /** Name of the repartition step; the topic is {@code <application.id>-baseline-by-product-repartition}. */
    static final String REPARTITION = "baseline-by-product";


    public enum Emit { EAGER, ON_WINDOW_CLOSE }

    private WindowedCount() {
    }

    public static Topology build(Topics topics, String outputTopic, Duration window, Duration grace, Emit emit) {
        StreamsBuilder builder = new StreamsBuilder();
        var windowed = builder
                .stream(topics.orders().name(), Consumed.with(Serdes.String(), topics.orders().valueSerde())
                        .withName("baseline-orders"))
                .flatMap((key, order) -> perProduct(order), Named.as("baseline-explode"))
                .groupByKey(Grouped.with(REPARTITION, Serdes.String(), Serdes.Long()))
                .windowedBy(TimeWindows.ofSizeAndGrace(window, grace));
        if (emit == Emit.ON_WINDOW_CLOSE) {
            windowed = windowed.emitStrategy(EmitStrategy.onWindowClose());
        }
        windowed.count(Named.as("baseline-count"), Materialized.as("baseline-window-counts"))
                .toStream(Named.as("baseline-results"))
                .map((w, count) -> KeyValue.pair(w.key() + "@" + w.window().start(), count),
                        Named.as("baseline-keys"))
                .to(outputTopic, Produced.with(Serdes.String(), Serdes.Long()).withName("baseline-sink"));
        return builder.build();
    }

    private static List<KeyValue<String, Long>> perProduct(OrderEvent order) {
        if (order == null) {
            return List.of();
        }
        List<KeyValue<String, Long>> out = new ArrayList<>(order.getLines().size());
        for (OrderLine line : order.getLines()) {
            out.add(KeyValue.pair(line.getProductId(), 1L));
        }
        return out;
    }
}
