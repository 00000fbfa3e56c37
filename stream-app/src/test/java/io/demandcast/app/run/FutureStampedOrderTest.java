package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.RecordTimestamps;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.testkit.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders stamped ahead of the wall clock, within max.future.skew, on the real broker. The broker refuses records
 * stamped more than message.timestamp.after.max.ms (one hour by default) ahead of its clock; when the intake wrote
 * such an order's event time as the repartition record's timestamp, the stream thread died and the app stopped, at
 * every restart again.
 */
class FutureStampedOrderTest {

    private static OrderEvent sale(String id, Instant time) {
        return OrderEvent.newBuilder().setOrderId(id).setEventTime(time).setType(OrderType.SALE)
                .setLines(List.of(new OrderLine("A", 2.0, 1.0))).build();
    }

    @Test
    void ordersStampedHoursAndDaysAheadOfTheWallClockAreCountedAndTheAppKeepsRunning(@TempDir Path state)
            throws Exception {
        Cluster cluster = Cluster.shared();
        AppConfig config = cluster.config(state, "topic.partitions", "1", "grace", "PT1M",
                "wallclock.close.interval", "PT2S", "processing.guarantee", "exactly_once_v2");
        Instant now = Instant.now();
        Instant today = now.truncatedTo(ChronoUnit.DAYS);
        try (ForecasterApp app = ForecasterApp.start(config, ForecasterApp.NO_LOADER, Duration.ofSeconds(30))) {
            Cluster.await("the app to run", Duration.ofSeconds(60), () -> app.health().state().equals("RUNNING"));
            AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
            try (KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()),
                    new StringSerializer(), serdes.forValue(OrderEvent.class).serializer())) {
                String orders = config.topicNames().orders();
                producer.send(new ProducerRecord<>(orders, "o1", sale("o1", today.minus(Duration.ofDays(3))
                        .plus(Duration.ofHours(12)))));
                producer.send(new ProducerRecord<>(orders, "o2", sale("o2", today.minus(Duration.ofDays(2))
                        .plus(Duration.ofHours(12)))));
                producer.send(new ProducerRecord<>(orders, "o3", sale("o3", now.plus(Duration.ofHours(2)))));
                producer.send(new ProducerRecord<>(orders, "o4", sale("o4", now.plus(Duration.ofDays(10)))));
                // And one of today, after them: not late, since no bucket closed ahead of the wall clock.
                producer.send(new ProducerRecord<>(orders, "o5", sale("o5", today.isAfter(now.minusSeconds(300))
                        ? today : now.minusSeconds(300))));
                producer.flush();
            }
            Cluster.await("the app to accept all five orders", Duration.ofSeconds(60),
                    () -> app.metrics().recordsIn() >= 5 || app.failed());
            try (var actuals = new TopicReader<>(config.bootstrapServers(), config.topicNames().salesActuals(),
                    Serdes.String().deserializer(), serdes.forValue(SalesBucket.class).deserializer());
                 var letters = new TopicReader<>(config.bootstrapServers(), config.topicNames().ordersDlq(),
                         Serdes.ByteArray().deserializer(), serdes.forValue(DeadLetter.class).deserializer())) {
                Cluster.await("the two past days to close", Duration.ofSeconds(60),
                        () -> actuals.drain() >= 2 || app.failed());
                // A few more wall-clock closes: none may close a bucket that has not ended yet.
                Thread.sleep(5_000);
                actuals.drain();
                letters.drain();
                assertThat(app.failed()).as("the app stopped on an error").isFalse();
                assertThat(app.health().state()).isEqualTo("RUNNING");
                assertThat(app.metrics().ordersAccepted()).isEqualTo(5);
                assertThat(letters.values()).isEmpty();
                Instant readAt = Instant.now();
                assertThat(actuals.values()).allSatisfy(b -> assertThat(b.getBucketEnd()).isBefore(readAt));
                assertThat(actuals.values()).filteredOn(b -> b.getUnits() > 0)
                        .extracting(SalesBucket::getBucketStart)
                        .containsExactly(today.minus(Duration.ofDays(3)), today.minus(Duration.ofDays(2)));
            }
        }
    }

    @Test
    void theTimestampLimitsAreTheTightestOfTheBrokerAndTheTopicsOverrides() throws Exception {
        Cluster cluster = Cluster.shared();
        String loose = KafkaBroker.uniqueTopic("loose");
        String tight = KafkaBroker.uniqueTopic("tight");
        cluster.broker.createTopic(loose, 1, Map.of());
        cluster.broker.createTopic(tight, 1, Map.of(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "60000",
                TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "86400000"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.broker.bootstrapServers()))) {
            RecordTimestamps brokerOnly = RecordTimestamps.read(admin, List.of(loose), Duration.ofSeconds(30));
            RecordTimestamps withTight = RecordTimestamps.read(admin, List.of(loose, tight), Duration.ofSeconds(30));
            assertThat(brokerOnly).isEqualTo(RecordTimestamps.KAFKA_DEFAULTS);
            assertThat(withTight).isEqualTo(new RecordTimestamps(60_000, 86_400_000));
            long wall = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
            assertThat(withTight.bound(wall + Duration.ofDays(10).toMillis(), wall)).isEqualTo(wall + 30_000);
            assertThat(withTight.bound(Instant.parse("2011-01-03T00:00:00Z").toEpochMilli(), wall))
                    .isEqualTo(wall - 43_200_000);
            assertThat(withTight.bound(wall - 1_000, wall)).isEqualTo(wall - 1_000);
        }
    }
}
