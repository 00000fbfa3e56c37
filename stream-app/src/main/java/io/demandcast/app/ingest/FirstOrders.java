package io.demandcast.app.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The first valid orders of an intake task that has no stream time yet, held until they agree on one. Every later
 * order is judged against the stream time (an order more than {@code max.future.skew} ahead of it is refused); the
 * first one has nothing to be judged against, and one order stamped years ahead of a replayed backlog would move
 * every bucket clock years ahead. So the first orders wait here (in a changelogged store: a restart holds what it
 * held) until they span no more than the skew, or {@link #FULL} of them came, or the wall-clock punctuation comes;
 * then those more than the skew away from their lower median are refused, and the others are judged in arrival
 * order like any order. A held record keeps its key, value, origin and timestamp, not its headers (the order's
 * wire format needs none).
 */
final class FirstOrders {

    /** Store of the held orders: arrival sequence -> the record as read. */
    static final String STORE = "intake-first-orders";
    /** How many held orders are enough to start the stream time even when they disagree. */
    static final int FULL = 9;

    /** One held record: its key and value bytes, where it was read and its timestamp. */
    record Held(byte[] key, byte[] value, Origin origin, long timestamp, long eventTime) {
    }

    private final KeyValueStore<Long, byte[]> store;
    private final long maxSkewMs;
    private long nextSeq;
    private int count;
    private long minTime = Long.MAX_VALUE;
    private long maxTime = Long.MIN_VALUE;

    /** Reads what the store holds (after a restart, what the task held before it). */
    FirstOrders(KeyValueStore<Long, byte[]> store, long maxSkewMs) {
        this.store = store;
        this.maxSkewMs = maxSkewMs;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                note(decode(kv.value).eventTime());
                nextSeq = Math.max(nextSeq, kv.key + 1);
            }
        }
    }

    static StoreBuilder<KeyValueStore<Long, byte[]>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Long(), Serdes.ByteArray());
    }

    boolean isEmpty() {
        return count == 0;
    }

    void hold(Held held) {
        store.put(nextSeq++, encode(held));
        note(held.eventTime());
    }

    /** Whether the held orders are enough to start the stream time. */
    boolean agreed() {
        return count >= FULL || (count >= 2 && maxTime - minTime <= maxSkewMs);
    }

    /** The held orders in arrival order, removed from the store, and the stream time they start. */
    List<Held> release() {
        List<Held> out = new ArrayList<>(count);
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                out.add(decode(kv.value));
            }
        }
        for (long seq = 0; seq < nextSeq; seq++) {
            store.delete(seq);
        }
        count = 0;
        nextSeq = 0;
        minTime = Long.MAX_VALUE;
        maxTime = Long.MIN_VALUE;
        return out;
    }

    /** The lower median of the held orders' event times: one outlier cannot set it, however far off. */
    static long streamTime(List<Held> held) {
        long[] times = held.stream().mapToLong(Held::eventTime).toArray();
        Arrays.sort(times);
        return times[(times.length - 1) / 2];
    }

    private void note(long eventTime) {
        count++;
        minTime = Math.min(minTime, eventTime);
        maxTime = Math.max(maxTime, eventTime);
    }

    private static byte[] encode(Held h) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            writeBytes(out, h.key());
            writeBytes(out, h.value());
            out.writeUTF(h.origin().topic());
            out.writeInt(h.origin().partition());
            out.writeLong(h.origin().offset());
            out.writeLong(h.timestamp());
            out.writeLong(h.eventTime());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Held decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            // The origin's key is the key bytes read as text, as the intake reads them.
            String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
            return new Held(key, value, new Origin(topic, partition, offset, k), in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException("a held first order could not be read back", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        return n < 0 ? null : in.readNBytes(n);
    }
}
