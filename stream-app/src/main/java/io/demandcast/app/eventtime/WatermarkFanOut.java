package io.demandcast.app.eventtime;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions the topic between the intake and the aggregating tasks: a watermark to every partition (KIP-837
 * multicast), since every aggregating task waits for every intake task; anything else by its key as Kafka Streams
 * would (so interactive queries find a series where it is kept).
 *
 * @param <V> the topic's values, of which {@code isWatermark} picks the watermarks
 */
public final class WatermarkFanOut<V> implements StreamPartitioner<String, V> {

    private final Predicate<? super V> isWatermark;

    public WatermarkFanOut(Predicate<? super V> isWatermark) {
        this.isWatermark = isWatermark;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
        if (isWatermark.test(value)) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
        }
        // Empty: the producer's default partitioning of the serialized key, the same as without this partitioner.
        return Optional.empty();
    }
}
