package io.demandcast.schemas.registry;

import io.demandcast.schemas.Topics;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Makes Avro serdes in the Confluent wire format for specific record classes, all sharing one
 * {@link SchemaRegistryClient} and its caches. Subjects follow the TopicNameStrategy: {@code <topic>-value} for
 * values and {@code <topic>-key} for keys.
 *
 * <pre>{@code
 * AvroSerdes serdes = new AvroSerdes(SerdeConfig.fromProperties(props));
 * Topics topics = new Topics(Topics.Names.defaults(), serdes);
 * }</pre>
 *
 * <p>The serdes are configured when made: Kafka's {@code configure(...)} calls on them change nothing.
 */
public final class AvroSerdes implements Topics.ValueSerdes {

    private final SerdeConfig config;
    private final SchemaRegistryClient registry;

    public AvroSerdes(SerdeConfig config) {
        this(config, new SchemaRegistryClient(config));
    }

    /** Serdes that share an existing client (and its caches); {@code config} must be the one it was built with. */
    public AvroSerdes(SerdeConfig config, SchemaRegistryClient registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public <T extends SpecificRecord> Serde<T> forValue(Class<T> type) {
        return serde(type, false);
    }

    /** A serde for Avro record keys, under the subject {@code <topic>-key}. */
    public <T extends SpecificRecord> Serde<T> forKey(Class<T> type) {
        return serde(type, true);
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    public SerdeConfig config() {
        return config;
    }

    /** The subject of a topic's keys or values under the TopicNameStrategy. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    private <T extends SpecificRecord> Serde<T> serde(Class<T> type, boolean isKey) {
        Objects.requireNonNull(type, "type");
        return Serdes.serdeFrom(new AvroSerializer<>(type, registry, config.autoRegister(), isKey),
                new AvroDeserializer<>(type, registry));
    }
}
