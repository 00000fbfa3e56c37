package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.demandcast.app.config.AppConfig;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition that has been read to its end still counts as idle with the backlog watched: Kafka Streams commits
 * its position past the upstream producer's transaction markers, so the broker reports nothing waiting and the
 * other partition's event time closes the buckets.
 */
class QuietPartitionTest {

    private static OrderEvent sale(String id, String product, String time) {
        return OrderEvent.newBuilder().setOrderId(id).setEventTime(Instant.parse(time)).setType(OrderType.SALE)
                .setLines(List.of(new OrderLine(product, 2.0, 1.0))).build();
    }

    @Test
    void aPartitionReadToItsEndIsNotWaitedForByTheBucketsOfTheOther(@TempDir Path state) throws Exception {
        Cluster cluster = Cluster.shared();
        AppConfig config = cluster.config(state, "topic.partitions", "2", "grace", "PT1H",
                "wallclock.close.interval", "PT2S", "processing.guarantee", "exactly_once_v2");
        try (ForecasterApp app = ForecasterApp.start(config, ForecasterApp.NO_LOADER, Duration.ofSeconds(30))) {
            Cluster.await("the app to run", Duration.ofSeconds(60), () -> app.health().state().equals("RUNNING"));
            AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
            String orders = config.topicNames().orders();
            try (KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.applicationId() + "-orders"),
                    new StringSerializer(), serdes.forValue(OrderEvent.class).serializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(orders, 0, "a1", sale("a1", "A", "2011-01-03T10:00:00Z")));
                producer.send(new ProducerRecord<>(orders, 1, "b1", sale("b1", "B", "2011-01-03T09:00:00Z")));
                producer.send(new ProducerRecord<>(orders, 1, "b2", sale("b2", "B", "2011-01-05T05:00:00Z")));
                producer.commitTransaction();
            }
            try (var actuals = new TopicReader<>(config.bootstrapServers(), config.topicNames().salesActuals(),
                    Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer())) {
                // Partition 0 stays at 2011-01-03 10:00; once it is found idle, partition 1 closes days 1 and 2.
                Cluster.await("days 1 and 2 of both series", Duration.ofSeconds(60), () -> actuals.drain() >= 4);
                assertThat(actuals.values())
                        .extracting(SalesBucket::getSeries, SalesBucket::getBucketStart, SalesBucket::getUnits)
                        .containsExactlyInAnyOrder(
                                tuple("A", Instant.parse("2011-01-03T00:00:00Z"), 2.0),
                                tuple("B", Instant.parse("2011-01-03T00:00:00Z"), 2.0),
                                tuple("A", Instant.parse("2011-01-04T00:00:00Z"), 0.0),
                                tuple("B", Instant.parse("2011-01-04T00:00:00Z"), 0.0));
            }
        }
    }
}
