package io.demandcast.app.topology;

import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.aggregate.BucketOutput;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ForecastCycle;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.ingest.Intake;
import io.demandcast.app.ingest.IntakeBacklog;
import io.demandcast.app.ingest.OrderIntake;
import io.demandcast.app.ingest.OrderValidator;
import io.demandcast.app.ingest.SalesEvent;
import io.demandcast.app.ingest.SalesEventSerde;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.model.Forecaster;
import io.demandcast.model.baseline.SeasonalNaive;
import io.demandcast.schemas.Topics;
import java.nio.charset.StandardCharsets;
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
 * </pre>
 */
public final class ForecastTopology {

    /** Name of the repartition step; Kafka Streams makes the topic {@code <application.id>-sales-by-series-repartition}. */
    public static final String REPARTITION = "sales-by-series";

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
        return build(config, orderPartitions, topics, models, new SeasonalNaive(new double[] {0.1, 0.5, 0.9}),
                metrics, backlog);
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
        if (orderPartitions < 1) {
            throw new IllegalArgumentException("orders partitions: expected >= 1, got " + orderPartitions);
        }
        StreamsBuilder builder = new StreamsBuilder();
        for (StoreBuilder<?> store : BucketAggregator.stores()) {
            builder.addStateStore(store);
        }
        builder.addStateStore(OrderIntake.watermarkStore());

        OrderValidator validator = new OrderValidator(config.maxLineQuantity(), config.maxUnitPrice(),
                config.minEventTime(), config.maxFutureSkew());
        ForecastCycle cycle = new ForecastCycle(models, fallback, config.horizon(), config.batchSize(), metrics);
        BucketAggregator.Settings settings = new BucketAggregator.Settings(config.bucket(), config.grace(),
                config.historyLength(), config.seriesRetireAfterBuckets(), config.wallclockCloseInterval(),
                orderPartitions);
        OrderIntake.Cadence cadence = new OrderIntake.Cadence(config.bucket(), config.grace(),
                config.wallclockCloseInterval());

        // Bytes in: a record that does not decode becomes a dead letter instead of stopping the stream thread.
        KStream<byte[], Intake> intake = builder
                .stream(topics.orders().name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("orders-source"))
                .process(() -> new OrderIntake(topics.orders().valueSerde().deserializer(), validator, cadence,
                                backlog, metrics),
                        Named.as("order-intake"), OrderIntake.WATERMARK_STORE);

        var intakeBranches = intake.split(Named.as("intake-"))
                .branch((key, value) -> value instanceof Intake.Refused, Branched.as("refused"))
                .defaultBranch(Branched.as("accepted"));
        intakeBranches.get("intake-refused")
                .mapValues(value -> ((Intake.Refused) value).letter(), Named.as("refused-letters"))
                .to(topics.ordersDlq().name(), Produced.with(topics.ordersDlq().keySerde(),
                        topics.ordersDlq().valueSerde()).withName("orders-dlq-sink"));

        KStream<String, BucketOutput> closed = intakeBranches.get("intake-accepted")
                .flatMap((key, value) -> {
                    if (value instanceof Intake.Progress p) {
                        return List.of(KeyValue.pair(p.watermark().key(), (SalesEvent) p.watermark()));
                    }
                    Intake.Accepted a = (Intake.Accepted) value;
                    return SeriesSale.explode(a.order(), a.origin()).stream()
                            .map(sale -> KeyValue.pair(sale.series(), (SalesEvent) sale)).toList();
                }, Named.as("explode-lines"))
                .repartition(Repartitioned.with(Serdes.String(), new SalesEventSerde())
                        .withName(REPARTITION).withStreamPartitioner(new SalesPartitioner()))
                .process(() -> new BucketAggregator(settings, cycle, topics.forecasts().valueSerde().serializer(),
                                topics.forecasts().name(), metrics), Named.as("bucket-aggregator"),
                        BucketAggregator.CLOCK_STORE, BucketAggregator.OPEN_BUCKETS_STORE,
                        BucketAggregator.SERIES_STATE_STORE, BucketAggregator.RETIRED_FORECASTS_STORE);

        var outputs = closed.split(Named.as("closed-"))
                .branch((key, value) -> value instanceof BucketOutput.Actual, Branched.as("actuals"))
                .branch((key, value) -> value instanceof BucketOutput.Forecasted, Branched.as("forecasts"))
                .defaultBranch(Branched.as("late"));
        outputs.get("closed-actuals")
                .mapValues(value -> ((BucketOutput.Actual) value).bucket(), Named.as("actual-records"))
                .to(topics.salesActuals().name(), Produced.with(topics.salesActuals().keySerde(),
                        topics.salesActuals().valueSerde()).withName("sales-actuals-sink"));
        outputs.get("closed-forecasts")
                // Encoded once, by the aggregator, which keeps the same bytes as the series' latest forecast: a toTable
                // here re-keyed, repartitioned and re-encoded every forecast, more than the whole cycle cost.
                .mapValues(value -> ((BucketOutput.Forecasted) value).encoded(), Named.as("forecast-records"))
                .to(topics.forecasts().name(), Produced.with(topics.forecasts().keySerde(), Serdes.ByteArray())
                        .withName("forecasts-sink"));
        outputs.get("closed-late")
                .map((key, value) -> {
                    BucketOutput.Late late = (BucketOutput.Late) value;
                    byte[] orderKey = late.orderKey() == null ? null
                            : late.orderKey().getBytes(StandardCharsets.UTF_8);
                    return KeyValue.pair(orderKey, late.letter());
                }, Named.as("late-letters"))
                .to(topics.ordersDlq().name(), Produced.with(topics.ordersDlq().keySerde(),
                        topics.ordersDlq().valueSerde()).withName("late-dlq-sink"));
        return builder.build();
    }
}
