package io.demandcast.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.run.Cluster;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.TopicReader;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.testkit.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forecaster produce} on the real broker and registry. */
class ProduceCommandTest {

    private static final String HEADER = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    private final Cluster cluster = Cluster.shared();

    @TempDir
    Path dir;

    /** {@code n} one-line invoices, one a minute from 2010-12-01 09:00 (London = UTC in December). */
    private Path invoices(int n) throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 0; i < n; i++) {
            csv.append(String.format("%d,P%d,%d,2010-12-%02d %02d:%02d:00,1.25,17850,United Kingdom%n", 536000 + i,
                    i % 3, i + 1, 1 + i / 60, 9 + i / 60 % 10, i % 60));
        }
        Path file = dir.resolve("lines.csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        return file;
    }

    private Cluster.Run produce(String topic, Path data, String... options) {
        List<String> args = new ArrayList<>(List.of("produce", "--data", data.toString(), "--topic", topic,
                "--bootstrap-servers", cluster.broker.bootstrapServers(), "--schema-registry-url",
                cluster.registry.url()));
        args.addAll(List.of(options));
        return Cluster.cli(args.toArray(String[]::new));
    }

    private List<ConsumerRecord<String, OrderEvent>> read(String topic, int expected) throws InterruptedException {
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(cluster.config(dir)));
        try (var reader = new TopicReader<>(cluster.broker.bootstrapServers(), topic, Serdes.String().deserializer(),
                serdes.forValue(OrderEvent.class).deserializer())) {
            Cluster.await(expected + " records on " + topic, Duration.ofSeconds(30),
                    () -> reader.drain() >= expected);
            reader.drain();
            return List.copyOf(reader.records);
        }
    }

    @Test
    void sendsAtMostLimitOrdersAtTheMaxRateKeyedByOrderIdAtEventTime() throws Exception {
        String topic = KafkaBroker.uniqueTopic("produce");
        cluster.broker.createTopics(1, topic);
        long t0 = System.nanoTime();
        Cluster.Run run = produce(topic, invoices(30), "--limit", "10", "--max-rate", "20");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Sent 10 orders to " + topic);
        // The 10th record is due 9/20 s after the first.
        assertThat(seconds).isGreaterThanOrEqualTo(0.45);
        assertThat(run.err()).contains("orders").contains("event time 2010-12-01T09:09:00Z");

        List<ConsumerRecord<String, OrderEvent>> records = read(topic, 10);
        assertThat(records).extracting(ConsumerRecord::key)
                .containsExactly("536000", "536001", "536002", "536003", "536004", "536005", "536006", "536007",
                        "536008", "536009");
        ConsumerRecord<String, OrderEvent> third = records.get(2);
        assertThat(third.timestamp()).isEqualTo(Instant.parse("2010-12-01T09:02:00Z").toEpochMilli());
        assertThat(third.value().getEventTime()).isEqualTo(Instant.parse("2010-12-01T09:02:00Z"));
        assertThat(third.value().getLines().get(0).getQuantity()).isEqualTo(3.0);
    }

    @Test
    void fromAndToSelectADateRangeAndSpeedupPacesByEventTime() throws Exception {
        String topic = KafkaBroker.uniqueTopic("produce");
        cluster.broker.createTopics(1, topic);
        // 130 invoices a minute apart: 60 on Dec 1, 60 on Dec 2, 10 on Dec 3.
        Path data = invoices(130);
        long t0 = System.nanoTime();
        // Dec 2 spans 59 minutes of event time: 3,540 s at a speedup of 3,000 is 1.18 s.
        Cluster.Run run = produce(topic, data, "--from", "2010-12-02", "--to", "2010-12-03", "--speedup", "3000",
                "--no-progress");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Sent 60 orders").contains("skipped 60 before --from");
        assertThat(run.err()).isEmpty();
        assertThat(seconds).isGreaterThanOrEqualTo(1.18);
        List<ConsumerRecord<String, OrderEvent>> records = read(topic, 60);
        assertThat(records).hasSize(60);
        assertThat(records).allSatisfy(r -> assertThat(r.value().getEventTime().toString()).startsWith("2010-12-02"));
    }

    @Test
    void aMissingFileFailsWithItsName() {
        Cluster.Run run = produce("unused", dir.resolve("missing.csv.gz"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no such order-lines file").contains("missing.csv.gz");
    }

    @Test
    void aMalformedLineFailsWithFileAndLine() throws Exception {
        String topic = KafkaBroker.uniqueTopic("produce");
        cluster.broker.createTopics(1, topic);
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, HEADER + "1,A,2,2010-12-01 09:00:00,1.0,,UK\n2,A,two,2010-12-01 09:01:00,1.0,,UK\n");
        Cluster.Run run = produce(topic, file, "--no-progress");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("bad.csv: line 3: Quantity 'two' is not a number");
    }
}
