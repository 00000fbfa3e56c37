package io.demandcast.app.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The key under which the intake remembers a counted order is stored ({@code intake-order-id-window} and its
 * changelog): if a release made other keys for the same orders, a resend of an order counted before the upgrade
 * would be counted again. The fingerprint is FNV-1a (64 bits) over the order's Avro JSON text, so an Avro upgrade
 * that prints records differently changes every key; this test says so before such a release ships. The intake
 * computes it without building the text ({@link OrderFingerprint}); on random orders it must agree with the text.
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

    /** Chars that Avro escapes or prints as they are, surrogates of an emoji included. */
    private static final String CHARS = "aZ09 _-#\"\\\b\f\n\r\t\u0000\u001f\u007f\u0085\u009f\u00a0\u00e9"
            + "\u1fff\u2000\u2028\u20ac\u20ff\u2100\uffff\ud83d\ude00";

    private static String text(Random random, int maxLength) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            s.append(CHARS.charAt(random.nextInt(CHARS.length())));
        }
        return s.toString();
    }

    private static double number(Random random) {
        double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1e-300, 1e21,
                Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2};
        return random.nextInt(4) == 0 ? odd[random.nextInt(odd.length)] : random.nextGaussian() * 100;
    }

    private static OrderEvent randomOrder(Random random) {
        List<OrderLine> lines = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            lines.add(new OrderLine(text(random, 8), number(random), number(random)));
        }
        return OrderEvent.newBuilder().setOrderId(text(random, 10))
                .setEventTime(Instant.ofEpochMilli(random.nextLong() % 4_000_000_000_000L))
                .setCustomerId(random.nextBoolean() ? null : text(random, 6))
                .setChannel(random.nextBoolean() ? null : text(random, 6))
                .setCountry(random.nextBoolean() ? null : text(random, 6))
                .setType(OrderType.values()[random.nextInt(OrderType.values().length)]).setLines(lines).build();
    }

    /** The order as the intake gets it: written and read back with the compiled schema. */
    private static OrderEvent decoded(OrderEvent order) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(OrderEvent.class).write(order, encoder);
        encoder.flush();
        return new SpecificDatumReader<>(OrderEvent.class).read(null,
                DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }

    @Test
    void theFingerprintIsThatOfTheAvroTextOnRandomOrders() throws IOException {
        Random random = new Random(20261206);
        for (int i = 0; i < 2_000; i++) {
            OrderEvent order = decoded(randomOrder(random));
            assertThat(Long.toHexString(OrderFingerprint.of(order))).as("order %d: %s", i, order)
                    .isEqualTo(fnv1a64(order.toString()));
        }
    }
}
