package io.demandcast.app.ingest;

import io.demandcast.app.topology.PipelineMetrics;
import io.demandcast.model.Bucket;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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

    /** The latest event time of a valid order of this task: the stream time that far-future times are judged by. */
    public static final String WATERMARK_STORE = "intake-watermark";
    private static final String WATERMARK_KEY = "event-time";

    /** When this task's watermarks are due: at the close points of {@code bucket} and {@code grace}. */
    public record Cadence(Bucket bucket, Duration grace, Duration idleAfter) {
    }

    private final Deserializer<OrderEvent> decoder;
    private final Deserializer<String> keyDecoder = Serdes.String().deserializer();
    private final OrderValidator validator;
    private final PipelineMetrics metrics;
    private final Cadence cadence;
    private final IntakeBacklog backlog;
    private ProcessorContext<byte[], Intake> context;
    private KeyValueStore<String, Long> watermarkStore;
    private long watermark = OrderValidator.NO_WATERMARK;
    private int partition;
    /** Whether a watermark went out since this task started (restarts included). */
    private boolean announced;
    private boolean idle;
    private boolean acceptedSincePunctuation;
    /** Whether the task went a whole interval without an order while records waited for it (logged once). */
    private boolean starved;

    /** @param backlog what the task's partition still holds for it: a task with records waiting is never idle */
    public OrderIntake(Deserializer<OrderEvent> decoder, OrderValidator validator, Cadence cadence,
                       IntakeBacklog backlog, PipelineMetrics metrics) {
        this.decoder = decoder;
        this.validator = validator;
        this.cadence = cadence;
        this.backlog = backlog;
        this.metrics = metrics;
    }

    public static StoreBuilder<KeyValueStore<String, Long>> watermarkStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WATERMARK_STORE), Serdes.String(),
                Serdes.Long());
    }

    @Override
    public void init(ProcessorContext<byte[], Intake> context) {
        this.context = context;
        this.watermarkStore = context.getStateStore(WATERMARK_STORE);
        Long stored = watermarkStore.get(WATERMARK_KEY);
        watermark = stored == null ? OrderValidator.NO_WATERMARK : stored;
        // One intake task per orders partition: the task's partition is the origin the aggregators wait for.
        partition = context.taskId().partition();
        announced = false;
        idle = false;
        acceptedSincePunctuation = false;
        starved = false;
        context.schedule(cadence.idleAfter(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn();
        Origin origin = origin(record.key());
        OrderEvent order;
        try {
            if (record.value() == null) {
                refuse(record, origin, new Rejection(Rejection.DESERIALIZATION,
                        "record at " + origin + " has no value; expected an OrderEvent", null));
                return;
            }
            order = decoder.deserialize(origin.topic(), record.headers(), record.value());
            if (order == null) {
                throw new IllegalStateException("the decoder returned no order");
            }
        } catch (RuntimeException e) {
            refuse(record, origin, new Rejection(Rejection.DESERIALIZATION, "record at " + origin + " ("
                    + record.value().length + " bytes) is not an OrderEvent: " + e.getMessage(),
                    e.getClass().getName()));
            return;
        }
        Optional<Rejection> rejection;
        try {
            rejection = validator.check(order, watermark, context.currentSystemTimeMs());
        } catch (RuntimeException e) {
            // A decoded record can still hold nulls where the schema has none (a lenient writer).
            rejection = Optional.of(new Rejection(Rejection.MISSING_ID, "order at " + origin
                    + " cannot be read: " + e, e.getClass().getName()));
        }
        if (rejection.isPresent()) {
            refuse(record, origin, rejection.get());
            return;
        }
        long eventTime = order.getEventTime().toEpochMilli();
        long before = watermark;
        if (eventTime > watermark) {
            watermark = eventTime;
            watermarkStore.put(WATERMARK_KEY, watermark);
        }
        metrics.orderAccepted();
        context.forward(record.withValue((Intake) new Intake.Accepted(order, origin)).withTimestamp(eventTime));
        acceptedSincePunctuation = true;
        starved = false;
        if (!announced || idle || closePoint(watermark) != closePoint(before)) {
            if (idle) {
                LOG.info("orders partition {} has orders again: buckets wait for it again from event time {}",
                        partition, eventTime());
            }
            idle = false;
            emitWatermark(watermark);
        }
    }

    /** The last bucket closable once event time is {@code t}; watermarks go out when it changes. */
    private long closePoint(long t) {
        if (t == OrderValidator.NO_WATERMARK) {
            return t;
        }
        return cadence.bucket().floor(Instant.ofEpochMilli(t).minus(cadence.grace())).toEpochMilli();
    }

    /**
     * Idle means nothing to read, not nothing read: a task the stream thread gave no turn for a whole interval (a
     * long forecast cycle of another task, a loaded machine) may have its partition's records still ahead of it.
     * When the backlog is not known, the wall clock alone decides, as before it was watched.
     */
    private void onWallClock(long now) {
        long waiting = backlog.waiting(partition);
        if (!acceptedSincePunctuation && !idle && waiting <= 0) {
            idle = true;
            LOG.info("orders partition {} is idle at event time {}: no order for {}, {}; buckets stop waiting for it",
                    partition, eventTime(), cadence.idleAfter(), waiting == 0 ? "nothing waiting"
                            : "backlog not known");
            emitWatermark(watermark == OrderValidator.NO_WATERMARK ? now : watermark);
        } else if (idle && waiting > 0) {
            // Orders came to an idle partition: the aggregating tasks wait for them from now, not only from when
            // this task gets its turn to read the first of them.
            idle = false;
            LOG.info("orders partition {} has {} record(s) waiting: buckets wait for it again from event time {}",
                    partition, waiting, eventTime());
            emitWatermark(watermark == OrderValidator.NO_WATERMARK ? now : watermark);
        } else if (!acceptedSincePunctuation && !idle && !starved) {
            // Once per stretch without an order: this is the mistake the backlog prevents, worth seeing in the log.
            starved = true;
            LOG.info("orders partition {}: no order read for {}, but {} record(s) wait for it: not idle (its task "
                    + "got no turn; buckets keep waiting for it)", partition, cadence.idleAfter(), waiting);
        }
        acceptedSincePunctuation = false;
    }

    private String eventTime() {
        return watermark == OrderValidator.NO_WATERMARK ? "(none yet)" : Instant.ofEpochMilli(watermark).toString();
    }

    private void emitWatermark(long timestamp) {
        announced = true;
        context.forward(new Record<byte[], Intake>(null, new Intake.Progress(new OriginWatermark(partition,
                watermark, idle)), timestamp));
    }

    private void refuse(Record<byte[], byte[]> record, Origin origin, Rejection rejection) {
        metrics.deadLetter(rejection.reason());
        DeadLetter letter = DeadLetters.of(rejection, record.value(), origin, context.currentSystemTimeMs());
        context.forward(record.withValue((Intake) new Intake.Refused(letter)));
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
