package io.demandcast.schemas;

import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.ModelRelease;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.SalesBucket;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The one registry of Demandcast topics: each topic's name with its key and value serdes. Processors never
 * spell a topic name or build a serde inline; they ask this class.
 */
public final class Topics {

    /** A topic with its serdes. */
    public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        public Topic {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(keySerde, "keySerde");
            Objects.requireNonNull(valueSerde, "valueSerde");
        }
    }

    /** Makes the value serde of one Avro record type (the Schema Registry serde in production). */
    @FunctionalInterface
    public interface ValueSerdes {
        <T extends SpecificRecord> Serde<T> forValue(Class<T> type);
    }

    /** Topic names; configuration with the defaults the README lists ("Topics"). */
    public record Names(String orders, String ordersDlq, String inventory, String salesActuals, String forecasts,
                        String restockAlerts, String models) {
        public static Names defaults() {
            return new Names("orders", "orders-dlq", "inventory", "sales-actuals", "forecasts", "restock-alerts",
                    "forecaster-models");
        }

        public List<String> all() {
            return List.of(orders, ordersDlq, inventory, salesActuals, forecasts, restockAlerts, models);
        }

        /**
         * The same names with {@code prefix} in front of each: a replay's own topics, which share no name with the
         * topics they were derived from.
         */
        public Names withPrefix(String prefix) {
            if (prefix == null || prefix.isEmpty()) {
                throw new IllegalArgumentException("a topic prefix must not be empty");
            }
            return new Names(prefix + orders, prefix + ordersDlq, prefix + inventory, prefix + salesActuals,
                    prefix + forecasts, prefix + restockAlerts, prefix + models);
        }
    }

    private final Names names;
    private final Topic<String, OrderEvent> orders;
    private final Topic<byte[], DeadLetter> ordersDlq;
    private final Topic<String, InventoryLevel> inventory;
    private final Topic<String, SalesBucket> salesActuals;
    private final Topic<String, Forecast> forecasts;
    private final Topic<String, RestockAlert> restockAlerts;
    private final Topic<String, ModelRelease> models;

    public Topics(Names names, ValueSerdes serdes) {
        this.names = Objects.requireNonNull(names, "names");
        Serde<String> key = Serdes.String();
        this.orders = new Topic<>(names.orders(), key, serdes.forValue(OrderEvent.class));
        this.ordersDlq = new Topic<>(names.ordersDlq(), Serdes.ByteArray(), serdes.forValue(DeadLetter.class));
        this.inventory = new Topic<>(names.inventory(), key, serdes.forValue(InventoryLevel.class));
        this.salesActuals = new Topic<>(names.salesActuals(), key, serdes.forValue(SalesBucket.class));
        this.forecasts = new Topic<>(names.forecasts(), key, serdes.forValue(Forecast.class));
        this.restockAlerts = new Topic<>(names.restockAlerts(), key, serdes.forValue(RestockAlert.class));
        this.models = new Topic<>(names.models(), key, serdes.forValue(ModelRelease.class));
    }

    public Names names() { return names; }
    public Topic<String, OrderEvent> orders() { return orders; }
    public Topic<byte[], DeadLetter> ordersDlq() { return ordersDlq; }
    public Topic<String, InventoryLevel> inventory() { return inventory; }
    public Topic<String, SalesBucket> salesActuals() { return salesActuals; }
    public Topic<String, Forecast> forecasts() { return forecasts; }
    public Topic<String, RestockAlert> restockAlerts() { return restockAlerts; }
    public Topic<String, ModelRelease> models() { return models; }
}
