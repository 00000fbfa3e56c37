package io.demandcast.app.ingest;

import io.demandcast.schemas.avro.OrderEvent;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The orders an intake task counted within the last {@code order.id.window} of event time, by order id and
 * content. A producer that retries a send, or an upstream system that replays its outbox, resends an order: counting
 * it again would double its sales, so an order with the id and the content (event time, type, customer, channel,
 * country, lines) of one already counted in the window is a duplicate. An order under a counted id with other
 * content is counted: shops split one invoice into parts (the Online Retail file has an invoice whose lines are
 * interleaved with another's, and 43 whose lines carry two different minutes), and dropping a part would lose
 * real sales. Orders are keyed by order id, so every copy of one reaches the same partition and the same task.
 *
 * <h2>One window store, stamped with the intake's clock</h2>
 * The counted orders live in a Kafka Streams window store: id and fingerprint at a timestamp, nothing as value.
 * Its retention is the window (and one millisecond, since an order counted exactly a window ago still counts), so
 * it forgets by dropping whole segments (Kafka Streams' default interval: half the retention) and holds between one
 * and one and a half windows of orders whatever the rate, without a delete per order. Key-value stores that forgot
 * by deleting each id grew by a put and a tombstone per order until compaction came.
 *
 * <p>A window store has a stream time of its own, the latest timestamp ever put: it hides and drops what is older
 * than that minus its retention. Stamped with the orders' event times, one order stamped {@code max.future.skew}
 * (30 days) ahead would move that time a month on, forget every order counted in the week before, and silently drop
 * those counted after it until the stream caught up; a retention covering the skew would hold five windows of
 * orders. Stamped with the task's stream time ({@code intake-watermark}, its latest event time) the store keeps what
 * it should, but that order moves the stream time a month on too, and the orders counted in the week before would
 * fall out of the window at once. So the window is measured by a clock of its own: the {@link #CLOCK_RANK}th latest
 * event time among the orders the task counted, started at the time its first orders agree on ({@link FirstOrders}).
 * Fewer orders than that stamped ahead of the others cannot move it; it follows the stream a few orders behind.
 * It never goes back, so every put is at the store's stream time or
 * after it and none is dropped. It is stored (in {@code intake-watermark}, changelogged, one key written per order
 * that moves it), so after a restart, or a restore on another instance, the clock and the store are where they
 * were, and a replay of the same orders decides the same: neither depends on the wall clock.
 *
 * <p>An order is thus a duplicate when a copy of it was counted at most a window ago by that clock. A late order is
 * remembered for a window from when it was counted, like any other; so is an order stamped ahead of the clock, from
 * when it was counted, not from its own event time.
 */
final class OrderIds {

    /** Order id and content fingerprint, at the clock's reading when counted -> nothing. */
    static final String STORE = "intake-order-id-window";
    /** The clock reads the oldest of this many latest event times: fewer orders stamped ahead cannot move it. */
    static final int CLOCK_RANK = 8;
    /** Keys of {@link OrderIntake#WATERMARK_STORE} holding the latest event times, one a key (a put moves one). */
    private static final String CLOCK_KEY = "order-id-clock-";
    private static final long NO_CLOCK = OrderValidator.NO_WATERMARK;
    private static final byte[] NOTHING = new byte[0];

    private final WindowStore<String, byte[]> store;
    private final KeyValueStore<String, Long> clockStore;
    private final long windowMs;
    /** The {@link #CLOCK_RANK} latest event times of counted orders, in no order; all {@link #NO_CLOCK} before one. */
    private final long[] latest = new long[CLOCK_RANK];

    /** Reads the clock back from {@code clockStore} (after a restart, where the task left it). */
    OrderIds(WindowStore<String, byte[]> store, KeyValueStore<String, Long> clockStore, long windowMs) {
        this.store = store;
        this.clockStore = clockStore;
        this.windowMs = windowMs;
        for (int i = 0; i < CLOCK_RANK; i++) {
            Long t = clockStore.get(CLOCK_KEY + i);
            latest[i] = t == null ? NO_CLOCK : t;
        }
    }

    /** The store of counted orders, retaining {@code window}. */
    static StoreBuilder<WindowStore<String, byte[]>> storeBuilder(Duration window) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(STORE, window.plusMillis(1), window, false),
                Serdes.String(), Serdes.ByteArray());
    }

    /**
     * Whether an order of {@code key} ({@link #keyOf}: the same id and content) was counted within the window. The
     * caller makes the key once for this and {@link #remember}.
     */
    boolean counted(String key) {
        long now = clock();
        if (windowMs == 0 || now == NO_CLOCK) {
            return false;
        }
        try (WindowStoreIterator<byte[]> it = store.fetch(key, now - windowMs, now)) {
            return it.hasNext();
        }
    }

    /** Counts the order of {@code key} ({@link #keyOf}) with event time {@code eventTime}. */
    void remember(String key, long eventTime) {
        if (windowMs == 0) {
            return;
        }
        advanceClock(eventTime);
        store.put(key, NOTHING, clock());
    }

    /** {@link #key} of {@code order} for {@link #counted} and {@link #remember}; null when no window is kept. */
    String keyOf(OrderEvent order) {
        return windowMs == 0 ? null : key(order);
    }

    /**
     * The order id and a 64-bit fingerprint of the order's content ({@link OrderFingerprint}: of its Avro JSON text,
     * stable across runs).
     */
    static String key(OrderEvent order) {
        return order.getOrderId() + "#" + Long.toHexString(OrderFingerprint.of(order));
    }

    /** The oldest of the latest event times counted, or {@link #NO_CLOCK} before the first order. */
    long clock() {
        long min = latest[0];
        for (long t : latest) {
            min = Math.min(min, t);
        }
        return min;
    }

    /**
     * Starts the clock at {@code streamTime} unless it runs already: at the time a task's first orders agree on
     * (so that an outlier among them, which is released in arrival order, cannot start it), or at the task's stream
     * time when a task that counted orders before the clock was stored has none.
     */
    void start(long streamTime) {
        if (windowMs == 0 || latest[0] != NO_CLOCK || streamTime == NO_CLOCK) {
            return;
        }
        for (int i = 0; i < CLOCK_RANK; i++) {
            latest[i] = streamTime;
            clockStore.put(CLOCK_KEY + i, streamTime);
        }
    }

    private void advanceClock(long eventTime) {
        start(eventTime);
        int oldest = 0;
        for (int i = 1; i < CLOCK_RANK; i++) {
            if (latest[i] < latest[oldest]) {
                oldest = i;
            }
        }
        if (eventTime > latest[oldest]) {
            latest[oldest] = eventTime;
            clockStore.put(CLOCK_KEY + oldest, eventTime);
        }
    }
}
