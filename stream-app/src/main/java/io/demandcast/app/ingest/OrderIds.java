package io.demandcast.app.ingest;

import io.demandcast.schemas.avro.OrderEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The orders an intake task counted within the last {@code order.id.window} of event time, by order id and
 * content. A producer that retries a send, or an upstream system that replays its outbox, resends an order: counting
 * it again would double its sales, so an order with the id and the content (event time, type, customer, channel,
 * country, lines) of one already counted in the window is a duplicate. An order under a counted id with other
 * content is counted: shops split one invoice into parts (the Online Retail file has an invoice whose lines are
 * interleaved with another's, and 43 whose lines carry two different minutes), and dropping a part would lose
 * real sales. Orders are keyed by order id, so every copy of one reaches the same partition and the same task.
 * Orders older than the window (by the task's stream time) are forgotten, so the stores stay bounded.
 */
final class OrderIds {

    /** Order id and content fingerprint -> the event time of the order counted under them. */
    static final String STORE = "intake-order-ids";
    /** Event time (8 bytes, big-endian) followed by the key of {@link #STORE} -> nothing: in the order they expire. */
    static final String BY_TIME_STORE = "intake-order-ids-by-time";

    private static final byte[] NOTHING = new byte[0];

    private final KeyValueStore<String, Long> ids;
    private final KeyValueStore<Bytes, byte[]> byTime;
    private final long windowMs;

    OrderIds(KeyValueStore<String, Long> ids, KeyValueStore<Bytes, byte[]> byTime, long windowMs) {
        this.ids = ids;
        this.byTime = byTime;
        this.windowMs = windowMs;
    }

    static List<StoreBuilder<?>> storeBuilders() {
        return List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long()),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BY_TIME_STORE), Serdes.Bytes(),
                        Serdes.ByteArray()));
    }

    /**
     * The event time of the same order (id and content) already counted within the window before
     * {@code streamTime}, or null when there is none (one counted longer ago is not a duplicate).
     */
    Long counted(OrderEvent order, long streamTime) {
        if (windowMs == 0) {
            return null;
        }
        Long at = ids.get(key(order));
        return at != null && at >= streamTime - windowMs ? at : null;
    }

    void remember(OrderEvent order) {
        if (windowMs == 0) {
            return;
        }
        String key = key(order);
        long eventTime = order.getEventTime().toEpochMilli();
        Long old = ids.get(key);
        if (old != null) {
            byTime.delete(timeKey(old, key));
        }
        ids.put(key, eventTime);
        byTime.put(timeKey(eventTime, key), NOTHING);
    }

    /** The order id and a 64-bit fingerprint of the order's content (its Avro JSON text, stable across runs). */
    static String key(OrderEvent order) {
        String text = order.toString();
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * 0x100000001b3L;
        }
        return order.getOrderId() + "#" + Long.toHexString(h);
    }

    /** Forgets the ids counted more than the window before {@code streamTime}. */
    void forgetBefore(long streamTime) {
        if (windowMs == 0 || streamTime == OrderValidator.NO_WATERMARK) {
            return;
        }
        long limit = streamTime - windowMs;
        List<Bytes> expired = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = byTime.range(timeKey(0, ""), timeKey(Math.max(0, limit), ""))) {
            while (it.hasNext()) {
                expired.add(it.next().key);
            }
        }
        for (Bytes key : expired) {
            ByteBuffer b = ByteBuffer.wrap(key.get());
            long t = b.getLong();
            if (t >= limit) {
                continue;
            }
            String id = StandardCharsets.UTF_8.decode(b).toString();  // a key of STORE
            byTime.delete(key);
            Long at = ids.get(id);
            if (at != null && at == t) {
                ids.delete(id);
            }
        }
    }

    private static Bytes timeKey(long eventTime, String orderId) {
        byte[] id = orderId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(eventTime).put(id).array());
    }
}
