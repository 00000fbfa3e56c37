package io.demandcast.app.ingest;

import io.demandcast.app.eventtime.IntakeBacklog;
import io.demandcast.app.eventtime.OriginProgress;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step of the pipeline: decodes the raw bytes of {@code orders} (the source reads bytes, so a bad record
 * never stops the stream thread), validates the order and passes it on with its event time as the record
 * timestamp, or turns it into a dead letter that keeps the original bytes and where they were read.
 */
public final class OrderIntake implements Processor<byte[], byte[], byte[], Intake> {

    private static final Logger LOG = LoggerFactory.getLogger(OrderIntake.class);
    /** Between two reads refused for the app's credentials: the registry answers those at once, without a retry. */
    private static final Duration REFUSED_PAUSE = Duration.ofSeconds(1);

    /**
     * The latest event time of a valid order of this task: the stream time that far-future times are judged by; and
     * the clock that {@code order.id.window} is measured by ({@link OrderIds}).
     */
    public static final String WATERMARK_STORE = "intake-watermark";
    private static final String WATERMARK_KEY = "event-time";

    private final Deserializer<OrderEvent> decoder;
    private final Deserializer<String> keyDecoder = Serdes.String().deserializer();
    private final OrderValidator validator;
    private final PipelineMetrics metrics;
    private final OriginProgress.Cadence cadence;
    private final IntakeBacklog backlog;
    private final RecordTimestamps timestamps;
    private final Duration orderIdWindow;
    private ProcessorContext<byte[], Intake> context;
    private KeyValueStore<String, Long> watermarkStore;
    private FirstOrders firstOrders;
    private OrderIds orderIds;
    private long watermark = OrderValidator.NO_WATERMARK;
    private int partition;
    /** When this task's watermarks are due, and whether it is idle (not stored: a restarted task announces itself). */
    private OriginProgress progress;

    /**
     * @param orderIdWindow how long (in event time) an order counted once makes a copy of it a duplicate
     * @param backlog       what the task's partition still holds for it: a task with records waiting is never idle
     * @param timestamps    the record timestamps the broker accepts, for what the intake forwards
     */
    public OrderIntake(Deserializer<OrderEvent> decoder, OrderValidator validator, OriginProgress.Cadence cadence,
                       Duration orderIdWindow, IntakeBacklog backlog, RecordTimestamps timestamps,
                       PipelineMetrics metrics) {
        this.orderIdWindow = orderIdWindow;
        this.decoder = decoder;
        this.validator = validator;
        this.cadence = cadence;
        this.backlog = backlog;
        this.timestamps = timestamps;
        this.metrics = metrics;
    }

    /**
     * The stores the intake uses: its stream time (and the clock of {@code order.id.window}), the first orders it
     * holds before it has one, and the orders it counted within {@code orderIdWindow}.
     */
    public static List<StoreBuilder<?>> stores(Duration orderIdWindow) {
        // The stream time and the order-id clock move with most orders: cached, they are written once a commit.
        return List.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WATERMARK_STORE), Serdes.String(),
                        Serdes.Long()).withCachingEnabled(),
                FirstOrders.storeBuilder(),
                OrderIds.storeBuilder(orderIdWindow));
    }

    /** Names of the stores of {@link #stores(Duration)}. */
    public static final String[] STORE_NAMES = {WATERMARK_STORE, FirstOrders.STORE, OrderIds.STORE};

    @Override
    public void init(ProcessorContext<byte[], Intake> context) {
        this.context = context;
        this.watermarkStore = context.getStateStore(WATERMARK_STORE);
        this.firstOrders = new FirstOrders(context.getStateStore(FirstOrders.STORE), validator.maxFutureSkewMs());
        this.orderIds = new OrderIds(context.getStateStore(OrderIds.STORE), watermarkStore, orderIdWindow.toMillis());
        Long stored = watermarkStore.get(WATERMARK_KEY);
        watermark = stored == null ? OrderValidator.NO_WATERMARK : stored;
        orderIds.start(watermark);
        // One intake task per orders partition: the task's partition is the origin the aggregators wait for.
        partition = context.taskId().partition();
        progress = new OriginProgress(partition, cadence, backlog);
        context.schedule(cadence.idleAfter(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn();
        Origin origin = origin(record.key());
        OrderEvent order = decode(record.key(), record.value(), record.timestamp(), record.headers(), origin);
        if (order == null) {
            return;
        }
        if (watermark != OrderValidator.NO_WATERMARK) {
            judge(record.key(), record.value(), record.timestamp(), origin, order);
            return;
        }
        // No stream time yet: every check but the one against stream time, then held until the first orders agree.
        Optional<Rejection> rejection = check(order, origin, OrderValidator.NO_WATERMARK);
        if (rejection.isPresent()) {
            refuse(record.key(), record.value(), record.timestamp(), origin, rejection.get());
            return;
        }
        firstOrders.hold(new FirstOrders.Held(record.key(), record.value(), origin, record.timestamp(),
                order.getEventTime().toEpochMilli()));
        if (firstOrders.agreed()) {
            releaseFirstOrders();
        }
    }

    /**
     * Judges the held first orders in arrival order, as any order, after refusing those more than max.future.skew
     * away from their lower median: the time they agree on, which one outlier cannot move.
     */
    private void releaseFirstOrders() {
        List<FirstOrders.Held> held = firstOrders.release();
        long agreed = FirstOrders.streamTime(held);
        long skew = validator.maxFutureSkewMs();
        orderIds.start(agreed);
        LOG.info("orders partition {}: its first {} order(s) agree on event time {}", partition, held.size(),
                Instant.ofEpochMilli(agreed));
        for (FirstOrders.Held h : held) {
            OrderEvent order = decode(h.key(), h.value(), h.timestamp(), new RecordHeaders(), h.origin());
            if (order == null) {
                continue;
            }
            if (Math.abs(h.eventTime() - agreed) > skew) {
                refuse(h.key(), h.value(), h.timestamp(), h.origin(), Rejection.of(Rejection.BAD_TIME, "order "
                        + order.getOrderId() + ": event time " + order.getEventTime() + " is more than max.future.skew "
                        + Duration.ofMillis(skew) + " away from stream time " + Instant.ofEpochMilli(agreed)
                        + ", the median of the first " + held.size() + " orders of its partition"));
                continue;
            }
            judge(h.key(), h.value(), h.timestamp(), h.origin(), order);
        }
    }

    /**
     * The order in the record's bytes, or null when they are not one (then dead-lettered). While the schema
     * registry cannot be reached, or refuses the app's credentials (401 or 403: a rotated password, a revoked user,
     * which say nothing about the record), a record whose schema is not cached is not judged at all: the intake
     * waits for the registry, trying again after each of the registry client's retry budgets (after a pause, for a
     * refusal, which comes at once). A wait longer than the transaction
     * timeout fences this thread's producer; Kafka Streams then goes back to the last commit, which under
     * exactly-once loses and duplicates nothing.
     */
    private OrderEvent decode(byte[] key, byte[] value, long timestamp, Headers headers, Origin origin) {
        if (value == null) {
            refuse(key, null, timestamp, origin, new Rejection(Rejection.DESERIALIZATION,
                    "record at " + origin + " has no value; expected an OrderEvent", null));
            return null;
        }
        long waitingSince = 0;
        while (true) {
            try {
                OrderEvent order = decoder.deserialize(origin.topic(), headers, value);
                if (order == null) {
                    throw new IllegalStateException("the decoder returned no order");
                }
                if (waitingSince != 0) {
                    LOG.info("the schema registry answers again: record at {} read after {} s", origin,
                            (System.nanoTime() - waitingSince) / 1_000_000_000L);
                }
                return order;
            } catch (RuntimeException e) {
                boolean refused = registryRefused(e);
                if (!refused && !registryUnavailable(e)) {
                    refuse(key, value, timestamp, origin, new Rejection(Rejection.DESERIALIZATION, "record at "
                            + origin + " (" + value.length + " bytes) is not an OrderEvent: " + e.getMessage(),
                            e.getClass().getName()));
                    return null;
                }
                metrics.registryUnavailable();
                if (waitingSince == 0) {
                    waitingSince = System.nanoTime();
                }
                if (refused) {
                    LOG.warn("record at {} cannot be read: the schema registry refuses the app's credentials "
                            + "(schema.registry.basic.auth.user.info); the intake waits for it: {}", origin,
                            e.getMessage());
                    pause(REFUSED_PAUSE);
                } else {
                    LOG.warn("record at {} cannot be read while the schema registry is unavailable; the intake waits "
                            + "for it: {}", origin, e.getMessage());
                }
            }
        }
    }

    private static boolean registryRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException r && (r.httpStatus() == 401 || r.httpStatus() == 403)) {
                return true;
            }
        }
        return false;
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the schema registry", e);
        }
    }

    private static boolean registryUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException r && r.reason() == SchemaRegistryException.Reason.UNAVAILABLE) {
                return true;
            }
        }
        return false;
    }

    private Optional<Rejection> check(OrderEvent order, Origin origin, long streamTime) {
        try {
            return validator.check(order, streamTime, context.currentSystemTimeMs());
        } catch (RuntimeException e) {
            // A decoded record can still hold nulls where the schema has none (a lenient writer).
            return Optional.of(new Rejection(Rejection.MISSING_ID, "order at " + origin
                    + " cannot be read: " + e, e.getClass().getName()));
        }
    }

    /** Judges a decoded order against the stream time: refused, or counted and passed on. */
    private void judge(byte[] key, byte[] value, long timestamp, Origin origin, OrderEvent order) {
        Optional<Rejection> rejection = check(order, origin, watermark);
        if (rejection.isPresent()) {
            refuse(key, value, timestamp, origin, rejection.get());
            return;
        }
        String idKey = orderIds.keyOf(order);
        if (orderIds.counted(idKey)) {
            refuse(key, value, timestamp, origin, Rejection.of(Rejection.DUPLICATE, "order " + order.getOrderId()
                    + " (event time " + order.getEventTime() + ") was already counted with the same content within "
                    + "order.id.window " + orderIdWindow + "; a resent order is not more sales"));
            return;
        }
        long eventTime = order.getEventTime().toEpochMilli();
        orderIds.remember(idKey, eventTime);
        long before = watermark;
        if (eventTime > watermark) {
            watermark = eventTime;
            watermarkStore.put(WATERMARK_KEY, watermark);
        }
        metrics.orderAccepted();
        // The sale carries its event time; the record's timestamp only has to be one the broker accepts.
        context.forward(new Record<byte[], Intake>(key, new Intake.Accepted(order, origin),
                timestamps.bound(eventTime, context.currentSystemTimeMs())));
        if (progress.accepted(before, watermark)) {
            emitWatermark(watermark);
        }
    }

    /** Releases first orders that did not agree in time, and tells whether it is idle. */
    private void onWallClock(long now) {
        if (!firstOrders.isEmpty()) {
            // The first orders did not agree within an interval: what came decides.
            releaseFirstOrders();
        }
        if (progress.onWallClock(watermark)) {
            emitWatermark(watermark == OrderValidator.NO_WATERMARK ? now : watermark);
        }
    }

    private void emitWatermark(long timestamp) {
        context.forward(new Record<byte[], Intake>(null, new Intake.Progress(new OriginWatermark(partition,
                watermark, progress.idle())), timestamps.bound(timestamp, context.currentSystemTimeMs())));
    }

    private void refuse(byte[] key, byte[] value, long timestamp, Origin origin, Rejection rejection) {
        metrics.deadLetter(rejection.reason());
        DeadLetter letter = DeadLetters.of(rejection, value, origin, context.currentSystemTimeMs());
        context.forward(new Record<byte[], Intake>(key, new Intake.Refused(letter),
                timestamps.bound(timestamp, context.currentSystemTimeMs())));
    }

    private Origin origin(byte[] key) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        String k;
        // String decoding of bytes never fails (malformed UTF-8 becomes U+FFFD); the DLQ keeps the raw key anyway.
        k = key == null ? null : keyDecoder.deserialize(null, key);
        return meta.map(m -> new Origin(m.topic(), m.partition(), m.offset(), null)).orElse(Origin.UNKNOWN)
                .withKey(k);
    }
}
