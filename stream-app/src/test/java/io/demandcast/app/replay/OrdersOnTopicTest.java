package io.demandcast.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.run.Cluster;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.TopicProvisioner;
import io.demandcast.app.run.TopicReader;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.registry.AvroSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A produce that resumes what an earlier one of the same file left on a topic, on the real broker and registry:
 * every order ends up on the topic once, in event-time order on each partition, however the earlier one was cut.
 */
class OrdersOnTopicTest {

    private static final String HEADER = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
    private static final int ORDERS = 60;
    private static final ZoneId LONDON = ZoneId.of("Europe/London");

    private final Cluster cluster = Cluster.shared();

    @TempDir
    Path dir;

    /** {@link #ORDERS} one-line invoices, three a minute from 2010-12-01 09:00: orders share timestamps. */
    private Path invoices() throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 0; i < ORDERS; i++) {
            csv.append(String.format("%d,P%d,%d,2010-12-01 09:%02d:00,1.25,17850,United Kingdom%n", 536000 + i,
                    i % 3, i + 1, i / 3));
        }
        return Files.writeString(dir.resolve("lines.csv"), csv, StandardCharsets.UTF_8);
    }

    /** A config whose orders topic is a new one of two partitions, created as the app creates it. */
    private AppConfig withNewOrdersTopic() {
        AppConfig config = cluster.config(dir.resolve("state"), "topic.partitions", "2");
        try (Admin admin = Admin.create(ForecasterApp.adminProperties(config, Duration.ofSeconds(30)))) {
            TopicProvisioner.ensure(admin, config, List.of(config.topicNames().orders()), Duration.ofSeconds(30));
        }
        return config;
    }

    private OrderReplay.Summary produce(AppConfig config, Path file, OrderReplay.Settings settings) throws IOException {
        String topic = config.topicNames().orders();
        return ProduceCommand.sendOrders(config, file, LONDON, topic, settings, OrdersOnTopic.read(config, topic),
                null);
    }

    private List<ConsumerRecord<String, OrderEvent>> records(AppConfig config) {
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        try (var reader = new TopicReader<>(config.bootstrapServers(), config.topicNames().orders(),
                Serdes.String().deserializer(), serdes.forValue(OrderEvent.class).deserializer())) {
            reader.drain();
            return List.copyOf(reader.records);
        }
    }

    /** Every order once, and each partition in event-time order (what a replay's range by timestamp rests on). */
    private static void assertEveryOrderOnceInOrder(List<ConsumerRecord<String, OrderEvent>> records) {
        assertThat(records).extracting(ConsumerRecord::key).hasSize(ORDERS).doesNotHaveDuplicates();
        Map<Integer, List<Long>> times = new TreeMap<>();
        records.forEach(r -> times.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.timestamp()));
        assertThat(times).hasSize(2);
        times.values().forEach(t -> assertThat(t).isSorted());
    }

    @Test
    void aProduceCutShortInTheMiddleOfAMinuteIsCompletedWithEveryOrderOnce() throws Exception {
        AppConfig config = withNewOrdersTopic();
        Path file = invoices();
        // 31 orders: ten whole minutes and one order of the eleventh, whose two others share its timestamp.
        produce(config, file, new OrderReplay.Settings(0, 0, 31, null, null));

        OrdersOnTopic before = OrdersOnTopic.read(config, config.topicNames().orders());
        OrderReplay.Summary rest = produce(config, file, OrderReplay.Settings.asFastAsPossible());

        assertThat(before.records()).isEqualTo(31);
        assertThat(rest.sent()).isEqualTo(ORDERS - 31);
        assertEveryOrderOnceInOrder(records(config));
        // Once complete, a produce sends nothing.
        assertThat(produce(config, file, OrderReplay.Settings.asFastAsPossible()).sent()).isZero();
        assertThat(records(config)).hasSize(ORDERS);
    }

    @Test
    void partitionsCutAtDifferentTimesAreEachCompletedFromWhereTheyStopped() throws Exception {
        AppConfig config = withNewOrdersTopic();
        Path file = invoices();
        String topic = config.topicNames().orders();
        produce(config, file, new OrderReplay.Settings(0, 0, 20, null, null));
        // Partition 0 went on to order 44 while partition 1 got nothing after order 19: a producer stopped with
        // one partition's batches sent and the other's not.
        int onZero = 0;
        try (OrderLinesFile orders = OrderLinesFile.open(file, LONDON);
             Producer<String, OrderEvent> producer = ProduceCommand.producer(config)) {
            for (int i = 0; i < 45 && orders.hasNext(); i++) {
                OrderEvent o = orders.next();
                int partition = BuiltInPartitioner.partitionForKey(o.getOrderId().getBytes(StandardCharsets.UTF_8),
                        2);
                if (i >= 20 && partition == 0) {
                    producer.send(new ProducerRecord<>(topic, 0, o.getEventTime().toEpochMilli(), o.getOrderId(),
                            o));
                    onZero++;
                }
            }
        }
        assertThat(onZero).as("orders 20..44 that partition 0 holds").isPositive().isLessThan(25);

        OrderReplay.Summary rest = produce(config, file, OrderReplay.Settings.asFastAsPossible());

        assertThat(rest.sent()).isEqualTo(ORDERS - 20 - onZero);
        assertEveryOrderOnceInOrder(records(config));
    }
}
