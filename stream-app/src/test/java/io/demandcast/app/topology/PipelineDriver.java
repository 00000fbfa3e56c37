package io.demandcast.app.topology;

import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.aggregate.SalesRing;
import io.demandcast.app.aggregate.SeriesState;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.eventtime.IntakeBacklog;
import io.demandcast.app.ingest.SalesEvent;
import io.demandcast.app.ingest.SalesEventSerde;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.internals.StreamTask;

/** TEST ONLY: the forecast topology in a {@code TopologyTestDriver}, with helpers to send orders and read outputs. */
final class PipelineDriver implements AutoCloseable {

    /** The driver's wall clock: far after the 2011 event times the tests use, as in a replay. */
    static final Instant WALL_CLOCK = Instant.parse("2026-01-01T00:00:00Z");

    final AppConfig config;
    final PipelineMetrics metrics = new PipelineMetrics();
    final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> orders;
    private final TestOutputTopic<String, SalesBucket> actuals;
    private final TestOutputTopic<String, Forecast> forecasts;
    private final TestOutputTopic<byte[], DeadLetter> deadLetters;
    private final Topics topics;
    private int orderSeq;

    PipelineDriver(AppConfig config, ModelHandle models) {
        this(config, 1, models);
    }

    /** A pipeline whose aggregator waits for {@code orderPartitions} intake tasks (the driver itself feeds one). */
    PipelineDriver(AppConfig config, int orderPartitions, ModelHandle models) {
        this(config, orderPartitions, models, IntakeBacklog.NOT_WATCHED);
    }

    /** A pipeline whose intake judges idleness by {@code backlog} as well as by the wall clock. */
    PipelineDriver(AppConfig config, int orderPartitions, ModelHandle models, IntakeBacklog backlog) {
        this.config = config;
        this.topics = new Topics(config.topicNames(), new PlainAvroValueSerdes());
        Topology topology = ForecastTopology.build(config, orderPartitions, topics, models, metrics, backlog);
        Properties props = config.streamsProperties();
        driver = new TopologyTestDriver(topology, props, WALL_CLOCK);
        orders = driver.createInputTopic(topics.orders().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        actuals = driver.createOutputTopic(topics.salesActuals().name(), Serdes.String().deserializer(),
                topics.salesActuals().valueSerde().deserializer());
        forecasts = driver.createOutputTopic(topics.forecasts().name(), Serdes.String().deserializer(),
                topics.forecasts().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.ordersDlq().name(), Serdes.ByteArray().deserializer(),
                topics.ordersDlq().valueSerde().deserializer());
    }

    /** Config from test overrides on the defaults, state under {@code stateDir}. */
    static AppConfig config(Path stateDir, String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("state.dir", stateDir.toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return AppConfig.from(props, Map.of());
    }

    static OrderLine line(String product, double quantity, double price) {
        return new OrderLine(product, quantity, price);
    }

    static OrderEvent order(String id, Instant time, OrderType type, OrderLine... lines) {
        return OrderEvent.newBuilder().setOrderId(id).setEventTime(time).setType(type)
                .setLines(List.of(lines)).build();
    }

    /** Sends a SALE of {@code quantity} units of {@code product} at {@code time}, price 1. */
    void sale(String product, String time, double quantity) {
        send(order("o" + (++orderSeq), Instant.parse(time), OrderType.SALE, line(product, quantity, 1.0)));
    }

    void send(OrderEvent order) {
        sendBytes(order.getOrderId(), encode(order));
    }

    /** The order's bytes as a producer writes them to {@code orders}. */
    byte[] encode(OrderEvent order) {
        return topics.orders().valueSerde().serializer().serialize(topics.orders().name(), order);
    }

    void sendBytes(String key, byte[] value) {
        orders.pipeInput(key, value);
    }

    /** The repartition topic between the intake and the aggregator, as Kafka Streams names it. */
    String salesBySeriesTopic() {
        return ForecastTopology.repartitionTopic(config.applicationId());
    }

    /** Feeds the aggregator directly, as intake tasks of other orders partitions would. */
    TestInputTopic<String, SalesEvent> salesBySeriesIn() {
        return driver.createInputTopic(salesBySeriesTopic(), Serdes.String().serializer(),
                new SalesEventSerde().serializer());
    }

    /** What the intake wrote to the repartition topic. */
    TestOutputTopic<String, SalesEvent> salesBySeriesOut() {
        return driver.createOutputTopic(salesBySeriesTopic(), Serdes.String().deserializer(),
                new SalesEventSerde().deserializer());
    }

    void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
    }

    List<SalesBucket> actuals() {
        return actuals.readValuesToList();
    }

    List<Forecast> forecasts() {
        return forecasts.readValuesToList();
    }

    /** The latest forecast of a series, read from the stores as REST reads it. */
    Forecast latestForecast(String series) {
        return BucketAggregator.latestForecast(driver.getKeyValueStore(BucketAggregator.SERIES_STATE_STORE),
                driver.getKeyValueStore(BucketAggregator.RETIRED_FORECASTS_STORE), series, config.bucket(),
                topics.forecasts().valueSerde().deserializer(), topics.forecasts().name());
    }

    /**
     * The net units of every closed bucket the stores hold for {@code series}, oldest first: its stored body, then
     * its state's tail; null when the series has no state.
     */
    double[] closedUnits(String series) {
        SeriesState state = driver.<String, SeriesState>getKeyValueStore(BucketAggregator.SERIES_STATE_STORE)
                .get(series);
        if (state == null) {
            return null;
        }
        SalesRing body = driver.<String, SalesRing>getKeyValueStore(BucketAggregator.SERIES_HISTORY_STORE)
                .get(series);
        double[] head = body == null ? new double[0] : body.units();
        double[] tail = state.tail().units();
        double[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    List<KeyValue<byte[], DeadLetter>> deadLetters() {
        List<KeyValue<byte[], DeadLetter>> out = new ArrayList<>();
        deadLetters.readKeyValuesToList().forEach(out::add);
        return out;
    }

    static String key(KeyValue<byte[], DeadLetter> kv) {
        return kv.key == null ? null : new String(kv.key, StandardCharsets.UTF_8);
    }

    /**
     * Stops the pipeline the way a clean shutdown of the app does (commit, checkpoint, close the stores) but keeps
     * the state directory, which {@link TopologyTestDriver#close()} deletes. A new driver on the same state dir is
     * then a restart from local state. Reaches into the driver's one task by reflection: test code only.
     */
    void stopKeepingState() {
        try {
            Field f = TopologyTestDriver.class.getDeclaredField("task");
            f.setAccessible(true);
            StreamTask task = (StreamTask) f.get(driver);
            task.suspend();
            task.prepareCommit(true);
            task.postCommit(true);
            task.closeClean();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Kafka Streams version's TopologyTestDriver has no task field", e);
        }
    }

    @Override
    public void close() {
        driver.close();
    }
}
