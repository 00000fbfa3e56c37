package io.demandcast.app.ingest;

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
 * The order ids an intake task counted within the last {@code order.id.window} of event time. A producer that
 * retries a send, or an upstream system that replays its outbox, resends an order under the same id: counting it
 * again would double its sales, so a second order with an id already counted in the window is a duplicate. Orders
 * are keyed by order id, so every copy of one reaches the same partition and the same task. Ids older than the
 * window (by the task's stream time) are forgotten, so the store stays bounded.
 */
final class OrderIds {

    /** Order id -> the event time of the order counted under it. */
    static final String STORE = "intake-order-ids";
    /** Event time (8 bytes, big-endian) followed by the order id -> nothing: the ids in the order they expire. */
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
     * The event time of the order already counted under {@code orderId} within the window before
     * {@code streamTime}, or null when there is none (an id counted longer ago is not a duplicate).
     */
    Long counted(String orderId, long streamTime) {
        if (windowMs == 0) {
            return null;
        }
        Long at = ids.get(orderId);
        return at != null && at >= streamTime - windowMs ? at : null;
    }

    void remember(String orderId, long eventTime) {
        if (windowMs == 0) {
            return;
        }
        Long old = ids.get(orderId);
        if (old != null) {
            byTime.delete(timeKey(old, orderId));
        }
        ids.put(orderId, eventTime);
        byTime.put(timeKey(eventTime, orderId), NOTHING);
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
            String id = StandardCharsets.UTF_8.decode(b).toString();
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
