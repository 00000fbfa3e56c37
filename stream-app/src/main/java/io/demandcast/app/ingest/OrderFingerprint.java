package io.demandcast.app.ingest;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The content fingerprint of an order in the duplicate window's keys: FNV-1a (64 bits) over the chars of the order's
 * Avro JSON text ({@code GenericData#toString}, Avro 1.12), fed char by char as that text would be written, without
 * building it: building the text cost a third of the intake's CPU. The keys are stored, so the fingerprint must
 * stay what earlier releases stored: {@code OrderIdsKeyTest} compares it with the text on random orders. When the
 * compiled schema does not have the fields this writer knows, the text itself is hashed.
 */
final class OrderFingerprint {

    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    /** Whether the compiled schemas have the fields, in the order, that {@link #ofFields} writes. */
    private static final boolean KNOWN_SCHEMA = names(OrderEvent.getClassSchema()).equals(
            List.of("orderId", "eventTime", "customerId", "channel", "country", "type", "lines"))
            && names(OrderLine.getClassSchema()).equals(List.of("productId", "quantity", "unitPrice"));

    private OrderFingerprint() {
    }

    private static List<String> names(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList();
    }

    /** The fingerprint of {@code order}: FNV-1a 64 of {@code order.toString()}. */
    static long of(OrderEvent order) {
        return KNOWN_SCHEMA ? ofFields(order) : chars(OFFSET_BASIS, order.toString());
    }

    /** FNV-1a 64 over the UTF-16 chars of {@code text}, continuing from {@code h}. */
    static long chars(long h, CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * PRIME;
        }
        return h;
    }

    private static long ofFields(OrderEvent o) {
        long h = chars(OFFSET_BASIS, "{\"orderId\": ");
        h = string(h, o.getOrderId());
        h = chars(h, ", \"eventTime\": ");
        // A temporal value is printed quoted, by its toString.
        Instant time = o.getEventTime();
        h = time == null ? chars(h, "null") : chars(chars(chars(h, "\""), time.toString()), "\"");
        h = chars(h, ", \"customerId\": ");
        h = string(h, o.getCustomerId());
        h = chars(h, ", \"channel\": ");
        h = string(h, o.getChannel());
        h = chars(h, ", \"country\": ");
        h = string(h, o.getCountry());
        h = chars(h, ", \"type\": ");
        h = string(h, o.getType() == null ? null : o.getType().toString());
        h = chars(h, ", \"lines\": ");
        List<OrderLine> lines = o.getLines();
        if (lines == null) {
            h = chars(h, "null");
        } else {
            h = chars(h, "[");
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    h = chars(h, ", ");
                }
                OrderLine line = lines.get(i);
                h = chars(h, "{\"productId\": ");
                h = string(h, line.getProductId());
                h = chars(h, ", \"quantity\": ");
                h = number(h, line.getQuantity());
                h = chars(h, ", \"unitPrice\": ");
                h = number(h, line.getUnitPrice());
                h = chars(h, "}");
            }
            h = chars(h, "]");
        }
        return chars(h, "}");
    }

    /** A double as Avro prints it: NaN and the infinities quoted, others by {@link Double#toString}. */
    private static long number(long h, double d) {
        String text = Double.toString(d);
        return Double.isNaN(d) || Double.isInfinite(d) ? chars(chars(chars(h, "\""), text), "\"") : chars(h, text);
    }

    /** A string as Avro prints it: quoted and escaped; null unquoted. */
    private static long string(long h, CharSequence s) {
        if (s == null) {
            return chars(h, "null");
        }
        h = (h ^ '"') * PRIME;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            h = switch (ch) {
                case '"' -> chars(h, "\\\"");
                case '\\' -> chars(h, "\\\\");
                case '\b' -> chars(h, "\\b");
                case '\f' -> chars(h, "\\f");
                case '\n' -> chars(h, "\\n");
                case '\r' -> chars(h, "\\r");
                case '\t' -> chars(h, "\\t");
                default -> escaped(ch) ? unicodeEscape(h, ch) : (h ^ ch) * PRIME;
            };
        }
        return (h ^ '"') * PRIME;
    }

    /** The chars Avro writes as a backslash-u escape of 4 hex digits: C0 and C1 controls, DEL, U+2000..U+20FF. */
    private static boolean escaped(char ch) {
        return ch <= '\u001F' || (ch >= '\u007F' && ch <= '\u009F') || (ch >= '\u2000' && ch <= '\u20FF');
    }

    private static long unicodeEscape(long h, char ch) {
        h = chars(h, "\\u");
        for (int shift = 12; shift >= 0; shift -= 4) {
            h = (h ^ Character.toUpperCase(Character.forDigit((ch >> shift) & 0xF, 16))) * PRIME;
        }
        return h;
    }
}
