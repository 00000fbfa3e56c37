package io.demandcast.app.replay;

import io.demandcast.schemas.avro.OrderEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Replays orders into a topic: key = order id, record timestamp = event time, paced by event time
 * ({@code speedup}: event time runs that many times faster than the wall clock) and/or capped in records per
 * second ({@code maxRate}); with neither, as fast as the producer takes them. Orders outside [from, to) are
 * skipped; the input is in event-time order, so the replay stops at the first order at or after {@code to}.
 */
public final class OrderReplay {

    /**
     * @param speedup 0: no event-time pacing
     * @param maxRate records per second, 0: no cap
     * @param limit   most records to send, 0: no limit
     * @param from    first event time to send (inclusive), null: from the start
     * @param to      event time to stop at (exclusive), null: to the end
     */
    public record Settings(double speedup, double maxRate, long limit, Instant from, Instant to) {
        public Settings {
            if (speedup < 0 || Double.isNaN(speedup) || Double.isInfinite(speedup)) {
                throw new IllegalArgumentException("speedup must be a finite number >= 0; got " + speedup);
            }
            if (maxRate < 0 || Double.isNaN(maxRate) || Double.isInfinite(maxRate)) {
                throw new IllegalArgumentException("max rate must be a finite number >= 0; got " + maxRate);
            }
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be >= 0; got " + limit);
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
            }
        }

        public static Settings asFastAsPossible() {
            return new Settings(0, 0, 0, null, null);
        }
    }

    /** What a replay did. */
    public record Summary(long sent, long skipped, Instant firstEvent, Instant lastEvent, Duration elapsed) {
        public double rate() {
            double s = elapsed.toNanos() / 1e9;
            return s <= 0 ? 0 : sent / s;
        }
    }

    /** Told of progress after each record sent. */
    public interface Progress {
        void sent(long count, Instant eventTime, Duration elapsed);

        Progress NONE = (count, eventTime, elapsed) -> { };
    }

    private OrderReplay() {
    }

    /**
     * Sends the orders, then flushes.
     * @throws ReplayException when the producer reports a failed send (the first failure, with its order)
     */
    public static Summary run(Iterator<OrderEvent> orders, Producer<String, OrderEvent> producer, String topic,
                              Settings settings, Progress progress) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long sent = 0;
        long skipped = 0;
        Instant first = null;
        Instant last = null;
        while (orders.hasNext() && (settings.limit() == 0 || sent < settings.limit())) {
            OrderEvent order = orders.next();
            Instant t = order.getEventTime();
            if (settings.to() != null && !t.isBefore(settings.to())) {
                break;
            }
            if (settings.from() != null && t.isBefore(settings.from())) {
                skipped++;
                continue;
            }
            if (first == null) {
                first = t;
            }
            pace(start, sent, first, t, settings);
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            String id = order.getOrderId();
            producer.send(new ProducerRecord<>(topic, null, t.toEpochMilli(), id, order), (meta, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, new ReplayException("sending order " + id + " (event time " + t
                            + ") to " + topic + " failed: " + e, e));
                }
            });
            sent++;
            last = t;
            throwIfFailed(failure);
            progress.sent(sent, t, Duration.ofNanos(System.nanoTime() - start));
        }
        producer.flush();
        throwIfFailed(failure);
        return new Summary(sent, skipped, first, last, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Waits until both the event-time schedule and the rate cap allow the next record. */
    private static void pace(long start, long sentSoFar, Instant first, Instant t, Settings settings) {
        long due = start;
        if (settings.speedup() > 0) {
            long eventNanos = Duration.between(first, t).toNanos();
            due = Math.max(due, start + (long) (eventNanos / settings.speedup()));
        }
        if (settings.maxRate() > 0) {
            due = Math.max(due, start + (long) (sentSoFar * 1e9 / settings.maxRate()));
        }
        long wait;
        while ((wait = due - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(wait);
        }
    }

    private static void throwIfFailed(AtomicReference<RuntimeException> failure) {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** A send the broker refused. */
    public static final class ReplayException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ReplayException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
