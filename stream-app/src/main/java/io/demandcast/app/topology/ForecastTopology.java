package io.demandcast.app.topology;

import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.alerts.RestockAlerts;
import io.demandcast.app.alerts.RestockPolicy;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ForecastCycle;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.eventtime.IntakeBacklog;
import io.demandcast.app.eventtime.OriginProgress;
import io.demandcast.app.eventtime.WatermarkFanOut;
import io.demandcast.app.ingest.Intake;
import io.demandcast.app.ingest.OrderIntake;
import io.demandcast.app.ingest.OrderValidator;
import io.demandcast.app.ingest.OriginWatermark;
import io.demandcast.app.ingest.RecordTimestamps;
import io.demandcast.app.ingest.SalesEvent;
import io.demandcast.app.ingest.SalesEventSerde;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.model.Forecaster;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.schemas.Topics;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The forecaster's topology, built by one pure function from configuration: no I/O happens here, so the same
 * topology serves the app, replays and the tests ({@code TopologyTestDriver}).
 *
 * <pre>
 * orders (bytes) -> intake: decode + validate ----------------------------> orders-dlq
 *                      \-> explode lines per series -> repartition by series (watermarks to every partition)
 *                            -> bucket aggregator (own bucket clock) -> sales-actuals
 *                                     |  on every close: forecast cycle -> forecasts
 *                                     |     (each series' latest forecast kept in its series-state: REST)
 *                                     \-> late records -------------------> orders-dlq
 * inventory (bytes) + forecasts (bytes) -> restock alerts: decode + validate levels --> orders-dlq
 *                      \-> on a new level or forecast: evaluate -> restock-alerts (on a change of state)
 * </pre>
 */
public final class ForecastTopology {

    /** Name of the repartition step; Kafka Streams makes the topic {@code <application.id>-sales-by-series-repartition}. */
    public static final String REPARTITION = "sales-by-series";

    /** The repartition topic between the intake and the aggregating tasks, as Kafka Streams names it. */
    public static String repartitionTopic(String applicationId) {
        return applicationId + "-" + REPARTITION + "-repartition";
    }

    private ForecastTopology() {
    }

    /** The topology for one {@code orders} partition with the seasonal naive fallback (quantiles 0.1, 0.5, 0.9). */
    public static Topology build(AppConfig config, Topics topics, ModelHandle models, PipelineMetrics metrics) {
        return build(config, 1, topics, models, metrics);
    }

    /**
     * The topology with the seasonal naive fallback (quantiles 0.1, 0.5, 0.9).
     * @param orderPartitions how many partitions {@code orders} has: a bucket closes once the event time of each of
     *                        them has passed its end plus grace (the app asks the broker at start)
     */
    public static Topology build(AppConfig config, int orderPartitions, Topics topics, ModelHandle models,
                                 PipelineMetrics metrics) {
        return build(config, orderPartitions, topics, models, metrics, IntakeBacklog.NOT_WATCHED);
    }

    /**
     * The topology with the seasonal naive fallback (quantiles 0.1, 0.5, 0.9).
     * @param backlog what each {@code orders} partition still holds for its intake task: a task with records
     *                waiting is not idle, however long it got no turn ({@link IntakeBacklog#NOT_WATCHED}: the wall
     *                clock alone decides)
     */
    public static Topology build(AppConfig config, int orderPartitions, Topics topics, ModelHandle models,
                                 PipelineMetrics metrics, IntakeBacklog backlog) {
        return build(config, orderPartitions, topics, models, metrics, backlog, RecordTimestamps.KAFKA_DEFAULTS);
    }

    /**
     * The topology with the seasonal naive fallback (quantiles 0.1, 0.5, 0.9).
     * @param timestamps the record timestamps the broker accepts (the app reads them from the broker at start):
     *                   no record the topology writes is stamped outside them, whatever event time an order claims
     */
    public static Topology build(AppConfig config, int orderPartitions, Topics topics, ModelHandle models,
                                 PipelineMetrics metrics, IntakeBacklog backlog, RecordTimestamps timestamps) {
        return build(config, orderPartitions, topics, models, new SeasonalNaive(new double[] {0.1, 0.5, 0.9}),
                metrics, backlog, timestamps);
    }

    /** The topology for one {@code orders} partition. */
    public static Topology build(AppConfig config, Topics topics, ModelHandle models, Forecaster fallback,
                                 PipelineMetrics metrics) {
        return build(config, 1, topics, models, fallback, metrics);
    }

    public static Topology build(AppConfig config, int orderPartitions, Topics topics, ModelHandle models,
                                 Forecaster fallback, PipelineMetrics metrics) {
        return build(config, orderPartitions, topics, models, fallback, metrics, IntakeBacklog.NOT_WATCHED);
    }

    public static Topology build(AppConfig config, int orderPartitions, Topics topics, ModelHandle models,
                                 Forecaster fallback, PipelineMetrics metrics, IntakeBacklog backlog) {
        return build(config, orderPartitions, topics, models, fallback, metrics, backlog,
                RecordTimestamps.KAFKA_DEFAULTS);
    }

    public static Topology build(AppConfig config, int orderPartitions, Topics topics, ModelHandle models,
                                 Forecaster fallback, PipelineMetrics metrics, IntakeBacklog backlog,
                                 RecordTimestamps timestamps) {
        if (orderPartitions < 1) {
            throw new IllegalArgumentException("orders partitions: expected >= 1, got " + orderPartitions);
        }
        StreamsBuilder builder = new StreamsBuilder();
        for (StoreBuilder<?> store : BucketAggregator.stores()) {
            builder.addStateStore(store);
        }
        for (StoreBuilder<?> store : OrderIntake.stores(config.orderIdWindow())) {
            builder.addStateStore(store);
        }
        for (StoreBuilder<?> store : RestockAlerts.stores()) {
            builder.addStateStore(store);
        }

        OrderValidator validator = new OrderValidator(config.maxLineQuantity(), config.maxUnitPrice(),
                config.minEventTime(), config.maxFutureSkew());
        ForecastCycle cycle = new ForecastCycle(models, fallback, config.horizon(), config.batchSize(), metrics);
        BucketAggregator.Settings settings = new BucketAggregator.Settings(config.bucket(), config.grace(),
                config.historyLength(), config.seriesRetireAfterBuckets(), config.wallclockCloseInterval(),
                orderPartitions, timestamps);
        OriginProgress.Cadence cadence = new OriginProgress.Cadence(config.bucket(), config.grace(),
                config.wallclockCloseInterval());

        // Bytes in: a record that does not decode becomes a dead letter instead of stopping the stream thread.
        KStream<byte[], Intake> intake = builder
                .stream(topics.orders().name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("orders-source").withTimestampExtractor(timestamps.extractor()))
                .process(() -> new OrderIntake(topics.orders().valueSerde().deserializer(), validator, cadence,
                                config.orderIdWindow(), backlog, timestamps, metrics),
                        Named.as("order-intake"), OrderIntake.STORE_NAMES);

        var intakeBranches = intake.split(Named.as("intake-"))
                .branch((key, value) -> value instanceof Intake.Refused, Branched.as("refused"))
                .defaultBranch(Branched.as("accepted"));
        intakeBranches.get("intake-refused")
                .mapValues(value -> ((Intake.Refused) value).letter(), Named.as("refused-letters"))
                .to(topics.ordersDlq().name(), Produced.with(topics.ordersDlq().keySerde(),
                        topics.ordersDlq().valueSerde()).withName("orders-dlq-sink"));

        intakeBranches.get("intake-accepted")
                .flatMap((key, value) -> {
                    if (value instanceof Intake.Progress p) {
                        return List.of(KeyValue.pair(p.watermark().key(), (SalesEvent) p.watermark()));
                    }
                    Intake.Accepted a = (Intake.Accepted) value;
                    return SeriesSale.explode(a.order(), a.origin()).stream()
                            .map(sale -> KeyValue.pair(sale.series(), (SalesEvent) sale)).toList();
                }, Named.as("explode-lines"))
                .repartition(Repartitioned.with(Serdes.String(), new SalesEventSerde())
                        .withName(REPARTITION)
                        .withStreamPartitioner(new WatermarkFanOut<>(e -> e instanceof OriginWatermark)))
                .process(() -> new BucketAggregator(settings, cycle, topics.forecasts().valueSerde().serializer(),
                                topics.forecasts().name(), backlog, metrics), Named.as(BucketAggregator.NAME),
                        BucketAggregator.CLOCK_STORE, BucketAggregator.OPEN_BUCKETS_STORE,
                        BucketAggregator.SERIES_STATE_STORE, BucketAggregator.SERIES_HISTORY_STORE,
                        BucketAggregator.RETIRED_FORECASTS_STORE);

        // Restock alerts read the forecasts back from their topic: keyed by product like inventory and with as many
        // partitions (the app checks), so a product's level and its forecasts meet in one task.
        RestockPolicy policy = RestockPolicy.forHorizon(config.horizon());
        builder.stream(List.of(topics.inventory().name(), topics.forecasts().name()),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("restock-source")
                                .withTimestampExtractor(timestamps.extractor()))
                .process(() -> new RestockAlerts(topics.inventory().name(), topics.forecasts().name(),
                                topics.inventory().valueSerde().deserializer(),
                                topics.forecasts().valueSerde().deserializer(), policy, timestamps, metrics),
                        Named.as(RestockAlerts.NAME), RestockAlerts.STORE_NAMES);

        // The aggregator sends each output to its sink by name: a close publishes two records per series, and a
        // split with a mapping step per branch put three more processor hops in front of every one of them.
        Topology topology = builder.build();
        topology.addSink(BucketAggregator.ACTUALS_SINK, topics.salesActuals().name(),
                topics.salesActuals().keySerde().serializer(), topics.salesActuals().valueSerde().serializer(),
                BucketAggregator.NAME);
        // Forecasts are encoded once, by the aggregator, from the model's numbers: the sink passes the bytes on.
        topology.addSink(BucketAggregator.FORECASTS_SINK, topics.forecasts().name(),
                topics.forecasts().keySerde().serializer(), Serdes.ByteArray().serializer(), BucketAggregator.NAME);
        topology.addSink(BucketAggregator.LATE_SINK, topics.ordersDlq().name(),
                topics.ordersDlq().keySerde().serializer(), topics.ordersDlq().valueSerde().serializer(),
                BucketAggregator.NAME);
        topology.addSink(RestockAlerts.ALERTS_SINK, topics.restockAlerts().name(),
                topics.restockAlerts().keySerde().serializer(), topics.restockAlerts().valueSerde().serializer(),
                RestockAlerts.NAME);
        topology.addSink(RestockAlerts.DLQ_SINK, topics.ordersDlq().name(),
                topics.ordersDlq().keySerde().serializer(), topics.ordersDlq().valueSerde().serializer(),
                RestockAlerts.NAME);
        return topology;
    }
}
