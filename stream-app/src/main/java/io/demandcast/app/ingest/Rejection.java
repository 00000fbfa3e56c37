package io.demandcast.app.ingest;

import java.util.Objects;

/** Why an order was refused: a machine-readable reason (the DLQ's {@code reason}) and what was expected and came. */
public record Rejection(String reason, String detail, String errorClass) {

    public static final String DESERIALIZATION = "deserialization";
    public static final String MISSING_ID = "missing-id";
    public static final String NO_LINES = "no-lines";
    public static final String BAD_QUANTITY = "bad-quantity";
    public static final String BAD_PRICE = "bad-price";
    public static final String BAD_TIME = "bad-time";
    public static final String LATE = "late";
    /** An order (id and content) already counted within {@code order.id.window}: a resend, not more sales. */
    public static final String DUPLICATE = "duplicate";
    /** An order type this app's schema does not know (a newer producer's), read as {@code UNKNOWN}. */
    public static final String UNKNOWN_TYPE = "unknown-type";

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    public static Rejection of(String reason, String detail) {
        return new Rejection(reason, detail, null);
    }
}
