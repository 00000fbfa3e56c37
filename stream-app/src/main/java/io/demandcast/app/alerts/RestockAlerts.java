package io.demandcast.app.alerts;

import io.demandcast.app.ingest.DeadLetters;
import io.demandcast.app.ingest.Origin;
import io.demandcast.app.ingest.RecordTimestamps;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.RestockState;
import io.demandcast.schemas.registry.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
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
 * Inventory levels against forecasts. Reads {@code inventory} (compacted, keyed by product id) and
 * {@code forecasts} (keyed by series, which is the product id) in one task per partition: the two topics must have
 * the same partition count, which the app checks at start. A valid level is kept as the product's row of the
 * inventory table, each product's latest forecast beside it; a change of either evaluates the product
 * ({@link RestockRule}). The evaluation is kept for REST ({@link #STATE_STORE}); a record goes to
 * {@code restock-alerts} only when the state changes: RAISED when the position falls below the reorder point,
 * CLEARED when a raised product is back at or above it. A bad inventory record is dead-lettered with its reason
 * ({@link InventoryCheck}) and the product keeps its last valid level.
 */
public final class RestockAlerts implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(RestockAlerts.class);

    public static final String NAME = "restock-alerts";
    /** Sink of state changes ({@code restock-alerts}): product id, {@code RestockAlert}. */
    public static final String ALERTS_SINK = "restock-alerts-sink";
    /** Sink of refused inventory records ({@code orders-dlq}): the record's key bytes, {@code DeadLetter}. */
    public static final String DLQ_SINK = "inventory-dlq-sink";

    /** Product id -> its last valid {@code InventoryLevel}. */
    public static final String INVENTORY_STORE = "restock-inventory";
    /** Product id -> its latest forecast (wire format of {@code forecasts}): a new stock level is evaluated on it. */
    public static final String FORECASTS_STORE = "restock-forecasts";
    /** Product id -> its latest evaluation ({@code RestockAlert}, state RAISED or CLEARED): what REST answers. */
    public static final String STATE_STORE = "restock-state";

    /** The stores, each changelogged. */
    public static List<StoreBuilder<?>> stores() {
        return List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INVENTORY_STORE), Serdes.String(),
                        new AvroStoreSerde<>(InventoryLevel.class)),
                // Not changelogged: it is the forecasts topic's own latest value per key, rewritten at every close;
                // logging it would copy every forecast once more. A task that lost its local state evaluates a
                // product from its next forecast on.
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FORECASTS_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled(),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(),
                        new AvroStoreSerde<>(RestockAlert.class)));
    }

    public static final String[] STORE_NAMES = {INVENTORY_STORE, FORECASTS_STORE, STATE_STORE};

    private final String inventoryTopic;
    private final String forecastsTopic;
    private final Deserializer<InventoryLevel> inventoryDecoder;
    private final Deserializer<Forecast> forecastDecoder;
    private final RestockPolicy policy;
    private final RecordTimestamps timestamps;
    private final PipelineMetrics metrics;
    private final Deserializer<String> keys = Serdes.String().deserializer();
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, InventoryLevel> levels;
    private KeyValueStore<String, byte[]> forecasts;
    private KeyValueStore<String, RestockAlert> states;

    /**
     * @param inventoryTopic the name of {@code inventory}: records from any other topic are forecasts
     * @param forecastsTopic the name of {@code forecasts}, whose wire format the forecasts are kept in
     */
    public RestockAlerts(String inventoryTopic, String forecastsTopic, Deserializer<InventoryLevel> inventoryDecoder,
                         Deserializer<Forecast> forecastDecoder, RestockPolicy policy, RecordTimestamps timestamps,
                         PipelineMetrics metrics) {
        this.inventoryTopic = inventoryTopic;
        this.forecastsTopic = forecastsTopic;
        this.inventoryDecoder = inventoryDecoder;
        this.forecastDecoder = forecastDecoder;
        this.policy = policy;
        this.timestamps = timestamps;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.levels = context.getStateStore(INVENTORY_STORE);
        this.forecasts = context.getStateStore(FORECASTS_STORE);
        this.states = context.getStateStore(STATE_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Origin origin = origin();
        if (origin.topic().equals(inventoryTopic)) {
            level(record, origin);
        } else {
            forecast(record);
        }
    }

    private Origin origin() {
        Optional<RecordMetadata> m = context.recordMetadata();
        return m.map(r -> new Origin(r.topic(), r.partition(), r.offset(), null)).orElse(Origin.UNKNOWN);
    }

    /** A forecast: kept as the product's latest, and evaluated when the product has a stock level. */
    private void forecast(Record<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        String product = keys.deserialize(null, record.key());
        forecasts.put(product, record.value());
        InventoryLevel level = levels.get(product);
        if (level == null) {
            // Most products have no stock level: their forecasts are kept, not decoded.
            return;
        }
        evaluate(product, level, forecastDecoder.deserialize(forecastsTopic, record.value()), record.timestamp());
    }

    private void level(Record<byte[], byte[]> record, Origin origin) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            // A tombstone: the product is no longer stocked here; its row and its alert state go, nothing is sent.
            if (key != null) {
                levels.delete(key);
                states.delete(key);
            }
            return;
        }
        InventoryLevel level;
        try {
            level = decode(record.value(), origin);
        } catch (RuntimeException e) {
            refuse(record, origin, new Rejection(Rejection.DESERIALIZATION, "record at " + origin + " ("
                    + record.value().length + " bytes) is not an InventoryLevel: " + e.getMessage(),
                    e.getClass().getName()));
            return;
        }
        Optional<Rejection> rejection = InventoryCheck.check(key, level, policy.horizon());
        if (rejection.isPresent()) {
            refuse(record, origin, rejection.get());
            return;
        }
        levels.put(key, level);
        byte[] latest = forecasts.get(key);
        if (latest != null) {
            evaluate(key, level, forecastDecoder.deserialize(forecastsTopic, latest), record.timestamp());
        }
        // Without a forecast yet the product is evaluated at its first one.
    }

    /** Decodes a level; while the registry is unavailable it waits for it, as the order intake does. */
    private InventoryLevel decode(byte[] value, Origin origin) {
        while (true) {
            try {
                InventoryLevel level = inventoryDecoder.deserialize(origin.topic(), value);
                if (level == null) {
                    throw new IllegalStateException("the decoder returned no level");
                }
                return level;
            } catch (RuntimeException e) {
                if (!registryUnavailable(e)) {
                    throw e;
                }
                metrics.registryUnavailable();
                LOG.warn("inventory record at {} cannot be read while the schema registry is unavailable; waiting "
                        + "for it: {}", origin, e.getMessage());
            }
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

    private void evaluate(String product, InventoryLevel level, Forecast forecast, long timestamp) {
        if (forecast.getSteps().size() < level.getLeadTimeBuckets()) {
            // A forecast made before the horizon was raised: the next one reaches far enough.
            return;
        }
        long now = context.currentSystemTimeMs();
        RestockAlert alert = RestockRule.evaluate(level, forecast, policy, now);
        RestockAlert before = states.get(product);
        boolean wasRaised = before != null && before.getState() == RestockState.RAISED;
        states.put(product, alert);
        boolean raised = alert.getState() == RestockState.RAISED;
        if (raised == wasRaised) {
            return;
        }
        if (raised) {
            metrics.restockRaised();
        } else {
            metrics.restockCleared();
        }
        context.forward(new Record<>(product, alert, timestamps.bound(timestamp, now)), ALERTS_SINK);
    }

    private void refuse(Record<byte[], byte[]> record, Origin origin, Rejection rejection) {
        metrics.deadLetter(rejection.reason());
        long now = context.currentSystemTimeMs();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        context.forward(new Record<>(record.key(), DeadLetters.of(rejection, record.value(), origin.withKey(key),
                now), timestamps.bound(record.timestamp(), now)), DLQ_SINK);
    }
}
