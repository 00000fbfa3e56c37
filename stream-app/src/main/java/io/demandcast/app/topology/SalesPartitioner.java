package io.demandcast.app.topology;

import io.demandcast.app.ingest.OriginWatermark;
import io.demandcast.app.ingest.SalesEvent;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions the repartition topic {@code sales-by-series}: a sale by its series key as Kafka Streams would (so
 * interactive queries find a series where it is kept), a watermark to every partition (KIP-837 multicast), since
 * every aggregating task waits for every intake task.
 */
final class SalesPartitioner implements StreamPartitioner<String, SalesEvent> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, SalesEvent value, int numPartitions) {
        if (value instanceof OriginWatermark) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
        }
        // Empty: the producer's default partitioning of the serialized key, the same as without this partitioner.
        return Optional.empty();
    }
}
