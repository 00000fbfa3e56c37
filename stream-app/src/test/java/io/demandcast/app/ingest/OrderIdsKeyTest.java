package io.demandcast.app.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key under which the intake remembers a counted order is stored ({@code intake-order-id-window} and its
 * changelog): if a release made other keys for the same orders, a resend of an order counted before the upgrade
 * would be counted again. The fingerprint is FNV-1a (64 bits) over the order's Avro JSON text, so an Avro upgrade
 * that prints records differently changes every key; this test says so before such a release ships.
 */
class OrderIdsKeyTest {

    private static OrderEvent order(String id, double quantity) {
        return OrderEvent.newBuilder().setOrderId(id).setEventTime(Instant.parse("2010-12-01T08:26:00Z"))
                .setCustomerId("17850").setCountry("United Kingdom").setType(OrderType.SALE)
                .setLines(List.of(new OrderLine("85123A", quantity, 2.55), new OrderLine("71053", 6.0, 3.39)))
                .build();
    }

    /** FNV-1a over the UTF-16 chars of {@code text}, as the stored keys were made. */
    private static String fnv1a64(String text) {
        long h = 0xcbf29ce484222325L;
        for (char c : text.toCharArray()) {
            h ^= c;
            h *= 0x100000001b3L;
        }
        return Long.toHexString(h);
    }

    @Test
    void theKeyIsTheIdAndAFingerprintOfTheOrdersAvroTextAsStoredByEarlierReleases() {
        String text = "{\"orderId\": \"536365\", \"eventTime\": \"2010-12-01T08:26:00Z\", \"customerId\": \"17850\", "
                + "\"channel\": null, \"country\": \"United Kingdom\", \"type\": \"SALE\", \"lines\": [{\"productId\": "
                + "\"85123A\", \"quantity\": 6.0, \"unitPrice\": 2.55}, {\"productId\": \"71053\", \"quantity\": 6.0, "
                + "\"unitPrice\": 3.39}]}";
        assertThat(order("536365", 6.0).toString()).isEqualTo(text);
        assertThat(OrderIds.key(order("536365", 6.0))).isEqualTo("536365#" + fnv1a64(text));
    }

    @Test
    void theSameContentMakesTheSameKeyAndAnyDifferenceAnother() {
        String key = OrderIds.key(order("536365", 6.0));
        assertThat(OrderIds.key(order("536365", 6.0))).isEqualTo(key);
        assertThat(OrderIds.key(order("536365", 7.0))).isNotEqualTo(key).startsWith("536365#");
        assertThat(OrderIds.key(order("536366", 6.0))).isNotEqualTo(key).startsWith("536366#");
    }
}
