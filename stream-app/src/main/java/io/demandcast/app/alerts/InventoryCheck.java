package io.demandcast.app.alerts;

import io.demandcast.app.ingest.Rejection;
import io.demandcast.schemas.avro.InventoryLevel;
import java.util.Optional;

/** What makes an {@code inventory} record unusable; each refusal becomes a dead letter with one of these reasons. */
public final class InventoryCheck {

    /** The record has no key, no product id, or a product id other than its key (the topic is keyed by product). */
    public static final String UNKNOWN_PRODUCT = "unknown-product";
    /** On hand or on order negative or not a number. */
    public static final String BAD_STOCK = "bad-stock";
    /** Service level not strictly between 0 and 1. */
    public static final String BAD_SERVICE_LEVEL = "bad-service-level";
    /** Lead time below one bucket or beyond the forecast horizon. */
    public static final String BAD_LEAD_TIME = "bad-lead-time";

    private InventoryCheck() {
    }

    /**
     * Why {@code level}, read under {@code key}, cannot be used with forecasts of {@code horizon} buckets; empty when
     * it can.
     */
    public static Optional<Rejection> check(String key, InventoryLevel level, int horizon) {
        String product = level.getProductId() == null ? null : level.getProductId().toString();
        if (key == null || key.isBlank()) {
            return refuse(UNKNOWN_PRODUCT, "inventory record without a key; expected the product id as key");
        }
        if (product == null || !product.equals(key)) {
            return refuse(UNKNOWN_PRODUCT, "inventory record under key '" + key + "' names product '" + product
                    + "'; expected the key and productId to agree");
        }
        double onHand = level.getOnHand();
        double onOrder = level.getOnOrder();
        if (!(Double.isFinite(onHand) && onHand >= 0)) {
            return refuse(BAD_STOCK, "product " + key + ": onHand " + onHand + "; expected a finite number >= 0");
        }
        if (!(Double.isFinite(onOrder) && onOrder >= 0)) {
            return refuse(BAD_STOCK, "product " + key + ": onOrder " + onOrder + "; expected a finite number >= 0");
        }
        double service = level.getServiceLevel();
        if (!(service > 0 && service < 1)) {
            return refuse(BAD_SERVICE_LEVEL, "product " + key + ": serviceLevel " + service
                    + "; expected a probability strictly between 0 and 1");
        }
        int lead = level.getLeadTimeBuckets();
        if (lead < 1) {
            return refuse(BAD_LEAD_TIME, "product " + key + ": leadTimeBuckets " + lead + "; expected 1.." + horizon
                    + " (horizon)");
        }
        if (lead > horizon) {
            return refuse(BAD_LEAD_TIME, "product " + key + ": leadTimeBuckets " + lead + " is beyond the forecast "
                    + "horizon of " + horizon + " buckets (configuration key horizon); expected 1.." + horizon);
        }
        return Optional.empty();
    }

    private static Optional<Rejection> refuse(String reason, String detail) {
        return Optional.of(Rejection.of(reason, detail));
    }
}
