package io.demandcast.app.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The floor the bucket close is measured against: what Kafka Streams itself costs to write what a close writes,
 * with nothing of the app in between. A task holds its share of the series in a RocksDB store with a changelog, as
 * the app's series states are held; on a trigger record it walks the store and, for every series, forwards an
 * actual and a forecast of given sizes and puts a new state of a given size. No model, no encoding, no history: the
 * values are bytes made by copying. The same series keys, partitions, stream threads and exactly-once settings as
 * the app then show how much of the app's close is Kafka's producer and store code.
 *
 * <p>Triggers are {@link #LOAD} (put every series this task's partition would hold, so the first close has a full
 * store) and {@link #CLOSE}; both are sent to every partition of the trigger topic.
 */
final class BareClose {

    static final String LOAD = "load";
    static final String CLOSE = "close";
    static final String STORE = "bare-close-states";

    /** Value sizes in bytes of one series' actual, forecast and state, taken from what the app wrote. */
    record Sizes(int actual, int forecast, int state) {
        Sizes {
            if (actual < 1 || forecast < 1 || state < 1) {
                throw new IllegalArgumentException("record sizes must be >= 1; got " + actual + ", " + forecast + ", "
                        + state);
            }
        }
    }

    private BareClose() {
    }

    /**
     * @param series series over all partitions; key {@code i} is {@link SyntheticOrders#productId}
     * @param partitions partitions of the trigger topic, as of the app's series repartition
     * @param loaded counts the states put on {@link #LOAD}
     * @param forwarded counts the forecasts forwarded on {@link #CLOSE}
     */
    static Topology build(String triggers, String actuals, String forecasts, int series, int partitions, Sizes sizes,
                          AtomicLong loaded, AtomicLong forwarded) {
        Topology t = new Topology();
        t.addSource("bare-triggers", new StringDeserializer(), new ByteArrayDeserializer(), triggers);
        t.addProcessor("bare-close", () -> new Closer(series, partitions, sizes, loaded, forwarded), "bare-triggers");
        // Not cached, as the app's series states are not: every put goes to RocksDB and the changelog.
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray()).withCachingDisabled(), "bare-close");
        t.addSink("bare-actuals", actuals, new StringSerializer(), new ByteArraySerializer(), "bare-close");
        t.addSink("bare-forecasts", forecasts, new StringSerializer(), new ByteArraySerializer(), "bare-close");
        return t;
    }

    private static final class Closer implements Processor<String, byte[], String, byte[]> {
        private final int series;
        private final int partitions;
        private final Sizes sizes;
        private final AtomicLong loaded;
        private final AtomicLong forwarded;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> states;

        Closer(int series, int partitions, Sizes sizes, AtomicLong loaded, AtomicLong forwarded) {
            this.series = series;
            this.partitions = partitions;
            this.sizes = sizes;
            this.loaded = loaded;
            this.forwarded = forwarded;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.states = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> trigger) {
            if (LOAD.equals(trigger.key())) {
                int mine = context.taskId().partition();
                for (int i = 0; i < series; i++) {
                    String key = SyntheticOrders.productId(i);
                    if (SyntheticOrders.partitionOf(key, partitions) == mine) {
                        states.put(key, new byte[sizes.state()]);
                        loaded.incrementAndGet();
                    }
                }
            } else if (CLOSE.equals(trigger.key())) {
                close(trigger.timestamp());
            } else {
                throw new IllegalArgumentException("unknown trigger " + trigger.key());
            }
        }

        /**
         * What the app's close does per series, Kafka's part only: a new state from the old (a copy with one byte
         * changed, where the app appends a bucket and a forecast), an actual and a forecast forwarded. Like the app,
         * it writes while a RocksDB iterator walks the store, which reads the data as of its creation.
         */
        private void close(long stamp) {
            byte[] actual = new byte[sizes.actual()];
            try (KeyValueIterator<String, byte[]> it = states.all()) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    byte[] state = new byte[sizes.state()];
                    System.arraycopy(kv.value, 0, state, 0, Math.min(kv.value.length, state.length));
                    state[0]++;
                    byte[] forecast = new byte[sizes.forecast()];
                    forecast[0] = state[0];
                    context.forward(new Record<>(kv.key, actual.clone(), stamp), "bare-actuals");
                    states.put(kv.key, state);
                    context.forward(new Record<>(kv.key, forecast, stamp), "bare-forecasts");
                    forwarded.incrementAndGet();
                }
            }
        }
    }
}
