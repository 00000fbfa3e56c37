package io.demandcast.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records (specific or generic) as plain JSON for people and scripts: timestamps as ISO-8601 instants, dates
 * as ISO dates, decimals as numbers, bytes as base64, enums as their symbol, a union as the value of its branch
 * (not Avro's {@code {"type": value}} wrapping), and NaN or infinite doubles as the strings "NaN", "Infinity".
 */
public final class AvroJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AvroJson() {
    }

    public static ObjectNode toJson(IndexedRecord record) {
        return (ObjectNode) value(record, record.getSchema());
    }

    /** One line of JSON. */
    public static String toJsonLine(IndexedRecord record) {
        return write(toJson(record));
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written: " + e.getMessage(), e);
        }
    }

    static JsonNode value(Object v, Schema s) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof Instant instant) {
            return NODES.textNode(instant.toString());
        }
        if (v instanceof TemporalAccessor time) {
            return NODES.textNode(time.toString());
        }
        LogicalType logical = s.getLogicalType();
        switch (s.getType()) {
            case UNION:
                return value(v, branch(v, s));
            case RECORD: {
                IndexedRecord r = (IndexedRecord) v;
                ObjectNode o = NODES.objectNode();
                for (Schema.Field f : s.getFields()) {
                    o.set(f.name(), value(r.get(f.pos()), f.schema()));
                }
                return o;
            }
            case ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (Object item : (Collection<?>) v) {
                    a.add(value(item, s.getElementType()));
                }
                return a;
            }
            case MAP: {
                ObjectNode o = NODES.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    o.set(e.getKey().toString(), value(e.getValue(), s.getValueType()));
                }
                return o;
            }
            case BYTES: {
                byte[] bytes = bytes((ByteBuffer) ((ByteBuffer) v).duplicate());
                if (logical instanceof LogicalTypes.Decimal d) {
                    return NODES.numberNode(new BigDecimal(new BigInteger(bytes), d.getScale()));
                }
                return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case FIXED:
                return NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) v).bytes()));
            case INT:
                if (logical instanceof LogicalTypes.Date) {
                    return NODES.textNode(LocalDate.ofEpochDay(((Number) v).longValue()).toString());
                }
                return NODES.numberNode(((Number) v).intValue());
            case LONG: {
                long n = ((Number) v).longValue();
                if (logical instanceof LogicalTypes.TimestampMillis
                        || logical instanceof LogicalTypes.LocalTimestampMillis) {
                    return NODES.textNode(Instant.ofEpochMilli(n).toString());
                }
                if (logical instanceof LogicalTypes.TimestampMicros
                        || logical instanceof LogicalTypes.LocalTimestampMicros) {
                    return NODES.textNode(Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000L),
                            Math.floorMod(n, 1_000_000L) * 1_000L).toString());
                }
                return NODES.numberNode(n);
            }
            case FLOAT:
            case DOUBLE: {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return NODES.textNode(Double.toString(d));
                }
                return s.getType() == Schema.Type.FLOAT ? NODES.numberNode(((Number) v).floatValue())
                        : NODES.numberNode(d);
            }
            case BOOLEAN:
                return NODES.booleanNode((Boolean) v);
            case NULL:
                return NODES.nullNode();
            default:
                // STRING and ENUM (Utf8, String, a generated enum or a GenericEnumSymbol).
                return NODES.textNode(v.toString());
        }
    }

    private static Schema branch(Object v, Schema union) {
        Schema only = null;
        int nonNull = 0;
        for (Schema b : union.getTypes()) {
            if (b.getType() != Schema.Type.NULL) {
                only = b;
                nonNull++;
            }
        }
        if (nonNull == 1) {
            return only;
        }
        return union.getTypes().get(GenericData.get().resolveUnion(union, v));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
