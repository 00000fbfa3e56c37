package io.demandcast.app.ingest;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The checks an order passes before it counts as sales. One bad line refuses the whole order: a partial order
 * would count some of its lines and hide the rest, and the dead letter keeps the whole order for a replay.
 */
public final class OrderValidator {

    /** Stream time before the first valid order of a task. */
    public static final long NO_WATERMARK = Long.MIN_VALUE;

    private final double maxLineQuantity;
    private final double maxUnitPrice;
    private final long minEventTime;
    private final long maxFutureSkewMs;

    public OrderValidator(double maxLineQuantity, double maxUnitPrice, Instant minEventTime, Duration maxFutureSkew) {
        this.maxLineQuantity = maxLineQuantity;
        this.maxUnitPrice = maxUnitPrice;
        this.minEventTime = minEventTime.toEpochMilli();
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
    }

    /** How far ahead of the stream time (and of the wall clock) an order may be stamped. */
    public long maxFutureSkewMs() {
        return maxFutureSkewMs;
    }

    /**
     * @param watermark the latest event time of a valid order seen by this task, or {@link #NO_WATERMARK}
     * @param wallClock now, in epoch milliseconds
     * @return the rejection, or empty when the order is valid
     */
    public Optional<Rejection> check(OrderEvent order, long watermark, long wallClock) {
        if (blank(order.getOrderId())) {
            return reject(Rejection.MISSING_ID, "order id is empty");
        }
        if (order.getType() == OrderType.UNKNOWN) {
            // A type written by a newer producer that this app's schema lacks: counting it as a sale or a return
            // would be a guess either way.
            return reject(Rejection.UNKNOWN_TYPE, "order " + order.getOrderId() + " has an order type this app does "
                    + "not know (read as UNKNOWN); expected SALE or RETURN");
        }
        List<OrderLine> lines = order.getLines();
        if (lines == null || lines.isEmpty()) {
            return reject(Rejection.NO_LINES, "order " + order.getOrderId() + " has no lines; expected at least one");
        }
        for (int i = 0; i < lines.size(); i++) {
            OrderLine line = lines.get(i);
            String where = "order " + order.getOrderId() + " line " + i;
            if (blank(line.getProductId())) {
                return reject(Rejection.MISSING_ID, where + ": product id is empty");
            }
            double q = line.getQuantity();
            if (!Double.isFinite(q) || q <= 0 || q > maxLineQuantity) {
                return reject(Rejection.BAD_QUANTITY, where + " (product " + line.getProductId()
                        + "): quantity must be finite, > 0 and <= " + maxLineQuantity + "; got " + q);
            }
            double p = line.getUnitPrice();
            if (!Double.isFinite(p) || p < 0 || p > maxUnitPrice) {
                return reject(Rejection.BAD_PRICE, where + " (product " + line.getProductId()
                        + "): unit price must be finite, >= 0 and <= " + maxUnitPrice + "; got " + p);
            }
        }
        long t = order.getEventTime().toEpochMilli();
        if (t < minEventTime) {
            return reject(Rejection.BAD_TIME, "order " + order.getOrderId() + ": event time " + order.getEventTime()
                    + " is before min.event.time " + Instant.ofEpochMilli(minEventTime));
        }
        if (t > wallClock + maxFutureSkewMs) {
            return reject(Rejection.BAD_TIME, "order " + order.getOrderId() + ": event time " + order.getEventTime()
                    + " is more than max.future.skew " + Duration.ofMillis(maxFutureSkewMs)
                    + " ahead of the wall clock " + Instant.ofEpochMilli(wallClock));
        }
        if (watermark != NO_WATERMARK && t > watermark + maxFutureSkewMs) {
            return reject(Rejection.BAD_TIME, "order " + order.getOrderId() + ": event time " + order.getEventTime()
                    + " is more than max.future.skew " + Duration.ofMillis(maxFutureSkewMs)
                    + " ahead of stream time " + Instant.ofEpochMilli(watermark));
        }
        return Optional.empty();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static Optional<Rejection> reject(String reason, String detail) {
        return Optional.of(Rejection.of(reason, detail));
    }
}
