package io.demandcast.app.eventtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.retrain.Wait;
import io.demandcast.schemas.testkit.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The backlog the app judges idle partitions by, on the real broker: transactional orders (each commit leaves a
 * marker offset) read by a {@code read_committed} consumer of the application's group, as Kafka Streams reads them
 * under exactly-once.
 */
class BrokerBacklogTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static KafkaProducer<String, String> transactionalProducer(KafkaBroker broker, String id) {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id), new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    /** A consumer of the application's group, reading as Kafka Streams does under exactly-once. */
    private static KafkaConsumer<String, String> appConsumer(KafkaBroker broker, String group) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new StringDeserializer());
    }

    /** Watches {@code topic}'s backlog and {@code repartition} (which need not exist) for {@code group}. */
    private static BrokerBacklog watch(KafkaBroker broker, String group, String topic, String repartition) {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        return BrokerBacklog.watch(admin, group, topic, 2, repartition, BrokerBacklog.Uncommitted.FROM_START,
                Duration.ofSeconds(2));
    }

    /** A repartition topic name the app has not created (yet): its offsets are not known. */
    private static String missing(String topic) {
        return topic + "-sales-by-series-repartition";
    }

    @Test
    void aPartitionHasABacklogUntilTheGroupCommitsPastItsLastStableOffsetMarkersIncluded() {
        KafkaBroker broker = KafkaBroker.shared();
        String topic = KafkaBroker.uniqueTopic("backlog-orders");
        String group = KafkaBroker.uniqueTopic("backlog-app");
        broker.createTopics(2, topic);
        TopicPartition p0 = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> committed = transactionalProducer(broker, group + "-a");
             KafkaProducer<String, String> open = transactionalProducer(broker, group + "-b");
             BrokerBacklog backlog = watch(broker, group, topic, missing(topic))) {
            committed.beginTransaction();
            for (int i = 0; i < 5; i++) {
                committed.send(new ProducerRecord<>(topic, 0, "o" + i, "order " + i));
            }
            committed.commitTransaction();
            // An open transaction on partition 1: not readable yet under read_committed, so nothing waits there.
            open.beginTransaction();
            open.send(new ProducerRecord<>(topic, 1, "p", "pending order"));
            open.flush();

            Wait.until("the committed orders to count as waiting on partition 0", WAIT,
                    () -> backlog.waiting(0) == 6, () -> "waiting " + backlog.waiting(0) + " / " + backlog.waiting(1));
            assertThat(backlog.waiting(1)).as("an open transaction is not a backlog yet").isZero();

            try (KafkaConsumer<String, String> app = appConsumer(broker, group)) {
                app.assign(List.of(p0));
                int[] read = {0};
                Wait.until("the consumer to read the 5 orders and step over the commit marker", WAIT, () -> {
                    read[0] += app.poll(Duration.ofMillis(100)).count();
                    return read[0] == 5 && app.position(p0) == 6;
                }, () -> read[0] + " read, position " + app.position(p0));
                app.commitSync(Map.of(p0, new OffsetAndMetadata(4)));
                Wait.until("a commit before the last order to leave a backlog of the rest", WAIT,
                        () -> backlog.waiting(0) == 2, () -> "waiting " + backlog.waiting(0));
                app.commitSync();
                Wait.until("the commit at the position past the marker to leave nothing waiting", WAIT,
                        () -> backlog.waiting(0) == 0, () -> "waiting " + backlog.waiting(0));
            }

            open.commitTransaction();
            Wait.until("the committed transaction of partition 1 to count as waiting", WAIT,
                    () -> backlog.waiting(1) == 2, () -> "waiting " + backlog.waiting(1));
        }
    }

    @Test
    void aLookOlderThanOneIntervalIsUnknownRatherThanAStaleZeroAndLooksAreOrderedByWhenTheyBegan() {
        KafkaBroker broker = KafkaBroker.shared();
        String topic = KafkaBroker.uniqueTopic("backlog-stale");
        broker.createTopics(2, topic);
        BrokerBacklog backlog = watch(broker, KafkaBroker.uniqueTopic("backlog-stale-app"), topic, missing(topic));
        Wait.until("a first look", WAIT, () -> backlog.waiting(0) == 0 && backlog.waiting(1) == 0,
                () -> "waiting " + backlog.waiting(0) + " / " + backlog.waiting(1));
        long mark = backlog.mark();
        assertThat(backlog.lookedSince(mark)).as("the current look began before the mark").isFalse();
        Wait.until("a look begun after the mark", WAIT, () -> backlog.lookedSince(mark));
        assertThat(backlog.repartitionEnd(0)).as("no repartition topic: not known").isEqualTo(IntakeBacklog.UNKNOWN);
        assertThat(backlog.repartitionRead(0)).isEqualTo(IntakeBacklog.UNKNOWN);
        // Closed, it looks no more: once its last look is older than the 2 s interval, it no longer answers 0.
        backlog.close();
        Wait.until("the last look to go stale", Duration.ofSeconds(10),
                () -> backlog.waiting(0) == IntakeBacklog.UNKNOWN);
        assertThat(backlog.waiting(7)).as("a partition it does not watch").isEqualTo(IntakeBacklog.UNKNOWN);
        assertThat(backlog.lookedSince(backlog.mark())).as("not known: the wall clock alone decides").isTrue();
    }

    /**
     * Kafka's admin client logs an ERROR with a stack trace for each offsets request to a topic that is not there:
     * every start of the app (its repartition topic is created after the first look) printed one. A topic not there is
     * not asked for, and once created it is.
     */
    @Test
    void aRepartitionTopicNotCreatedYetIsNotAskedForSoNothingIsLoggedAndIsLookedUpOnceItIsThere() {
        KafkaBroker broker = KafkaBroker.shared();
        String topic = KafkaBroker.uniqueTopic("backlog-quiet");
        broker.createTopics(2, topic);
        PrintStream err = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeOutputStream(err, logged), true, StandardCharsets.UTF_8));
        try (BrokerBacklog backlog = watch(broker, KafkaBroker.uniqueTopic("backlog-quiet-app"), topic,
                missing(topic))) {
            for (int look = 0; look < 3; look++) {
                long mark = backlog.mark();
                Wait.until("look " + (look + 1), WAIT, () -> backlog.lookedSince(mark));
            }
            assertThat(backlog.repartitionEnd(0)).isEqualTo(IntakeBacklog.UNKNOWN);
            assertThat(logged.toString(StandardCharsets.UTF_8)).as("what was logged while the topic was missing")
                    .doesNotContain(missing(topic));
            broker.createTopics(2, missing(topic));
            Wait.until("the created repartition topic's end to be known", WAIT,
                    () -> backlog.repartitionEnd(0) == 0 && backlog.repartitionRead(1) == 0,
                    () -> "end " + backlog.repartitionEnd(0) + ", read " + backlog.repartitionRead(1));
        } finally {
            System.setErr(err);
        }
    }

    /** Writes to both streams. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeOutputStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }

    @Test
    void theRepartitionTopicsEndAndHowFarTheGroupReadItAreLookedUpBesideTheBacklog() {
        KafkaBroker broker = KafkaBroker.shared();
        String orders = KafkaBroker.uniqueTopic("backlog-read-orders");
        String repartition = KafkaBroker.uniqueTopic("backlog-read-repartition");
        String group = KafkaBroker.uniqueTopic("backlog-read-app");
        broker.createTopics(2, orders, repartition);
        TopicPartition p1 = new TopicPartition(repartition, 1);
        try (KafkaProducer<String, String> intake = transactionalProducer(broker, group + "-intake");
             BrokerBacklog backlog = watch(broker, group, orders, repartition)) {
            intake.beginTransaction();
            for (int i = 0; i < 3; i++) {
                intake.send(new ProducerRecord<>(repartition, 1, "s" + i, "sale " + i));
            }
            intake.commitTransaction();
            Wait.until("a look at 3 sales and their marker", WAIT, () -> backlog.repartitionEnd(1) == 4,
                    () -> "end " + backlog.repartitionEnd(1));
            assertThat(backlog.repartitionRead(1)).as("nothing committed: read from the log start").isZero();
            assertThat(backlog.repartitionEnd(0)).isZero();
            assertThat(backlog.repartitionRead(0)).isZero();

            try (KafkaConsumer<String, String> app = appConsumer(broker, group)) {
                app.commitSync(Map.of(p1, new OffsetAndMetadata(2)));
                Wait.until("the group's commit", WAIT, () -> backlog.repartitionRead(1) == 2,
                        () -> "read " + backlog.repartitionRead(1));
                intake.beginTransaction();
                intake.send(new ProducerRecord<>(repartition, 1, "s3", "sale 3"));
                intake.commitTransaction();
                app.commitSync(Map.of(p1, new OffsetAndMetadata(6)));
                Wait.until("a commit past both markers", WAIT,
                        () -> backlog.repartitionEnd(1) == 6 && backlog.repartitionRead(1) == 6,
                        () -> "end " + backlog.repartitionEnd(1) + ", read " + backlog.repartitionRead(1));
                assertThat(backlog.waiting(0)).as("the orders' backlog is looked up as before").isZero();
            }
        }
    }
}
