package io.demandcast.app.aggregate;

import io.demandcast.model.Bucket;
import io.demandcast.schemas.avro.Forecast;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What a close rewrites for every series of the task, folded into one store value so that a close costs one write
 * (one changelog record) per series: the buckets closed since the series' stored body (the tail, {@link
 * SalesRing}), the last bucket with any order (for retirement) and the latest forecast ({@link CompactForecast}: what
 * REST answers). The older buckets are the body, in {@link BucketAggregator#SERIES_HISTORY_STORE}: read at every
 * close, written only when the tail is folded into it every 8 to 16 closes, so that a close does not rewrite every
 * series' whole history to the store and its changelog. The sums of open buckets stay in {@link SeriesTally}: orders
 * update those, and a sale must not rewrite the history.
 */
public final class SeriesState {

    /** No forecast yet. */
    private static final byte NO_FORECAST = 0;
    /** The forecast in the wire format of {@code forecasts}: states written by layout version 1. */
    private static final byte WIRE = 1;
    /** The forecast as {@link CompactForecast} bytes. */
    private static final byte COMPACT = 2;

    private SalesRing tail;
    private long lastActiveBucket;
    /**
     * The latest forecast: {@code forecastLength} bytes of kind {@code forecastKind} at {@code forecastOffset} of
     * {@code forecastBytes}, which for a decoded state are the stored bytes themselves. A close replaces every
     * series' forecast without reading it, so decoding does not copy it out (that copy was a tenth of a close's
     * allocations).
     */
    private byte forecastKind;
    private byte[] forecastBytes;
    private int forecastOffset;
    private int forecastLength;

    private SeriesState(SalesRing tail, long lastActiveBucket, byte forecastKind, byte[] forecastBytes,
                        int forecastOffset, int forecastLength) {
        this.tail = tail;
        this.lastActiveBucket = lastActiveBucket;
        this.forecastKind = forecastKind;
        this.forecastBytes = forecastBytes;
        this.forecastOffset = forecastOffset;
        this.forecastLength = forecastLength;
    }

    /** A series closing its first bucket: no history, no forecast yet. */
    public static SeriesState fresh(long firstBucket) {
        return new SeriesState(SalesRing.empty(), firstBucket, NO_FORECAST, null, 0, 0);
    }

    /** The buckets closed since the series' stored body (all of them for a series without a body), oldest first. */
    public SalesRing tail() {
        return tail;
    }

    /** Keeps {@code tail} as the buckets closed since the series' body. */
    void tail(SalesRing tail) {
        this.tail = Objects.requireNonNull(tail, "tail");
    }

    public long lastActiveBucket() {
        return lastActiveBucket;
    }

    /** Records that the series had an order in {@code bucketStart}. */
    public void active(long bucketStart) {
        lastActiveBucket = Math.max(lastActiveBucket, bucketStart);
    }

    /** Whether a forecast has been kept. */
    public boolean hasForecast() {
        return forecastKind != NO_FORECAST;
    }

    /**
     * The latest forecast of this state's series {@code series} as it was published, or null before the first;
     * {@code bucket} rebuilds its steps' bucket starts, {@code wire} reads a forecast kept by an older layout in the
     * wire format of {@code topic}.
     */
    public Forecast latestForecast(String series, Bucket bucket, Deserializer<Forecast> wire, String topic) {
        return switch (forecastKind) {
            case COMPACT -> CompactForecast.toRecord(series, forecastBytes, forecastOffset, forecastLength, bucket);
            case WIRE -> wire.deserialize(topic, Arrays.copyOfRange(forecastBytes, forecastOffset,
                    forecastOffset + forecastLength));
            default -> null;
        };
    }

    /** Keeps {@code compact} ({@link CompactForecast#encode}) as the latest forecast. */
    public void latestForecast(byte[] compact) {
        this.forecastBytes = Objects.requireNonNull(compact, "compact forecast");
        this.forecastKind = COMPACT;
        this.forecastOffset = 0;
        this.forecastLength = compact.length;
    }

    @Override
    public String toString() {
        return "SeriesState{lastActive=" + lastActiveBucket + ", tail " + tail + ", forecast "
                + (hasForecast() ? forecastLength + " bytes" : "none") + "}";
    }

    /** Equal content, for tests of the encoding. */
    boolean sameAs(SeriesState o) {
        return lastActiveBucket == o.lastActiveBucket && tail.sameAs(o.tail) && forecastKind == o.forecastKind
                && (!hasForecast() || Arrays.equals(forecastBytes, forecastOffset, forecastOffset + forecastLength,
                o.forecastBytes, o.forecastOffset, o.forecastOffset + o.forecastLength));
    }

    /**
     * Store bytes, numbers little-endian. Layout version 4: version, last active bucket, the tail ({@link
     * SalesRing#writeTo}: prices as floats, units as floats when they all are), the forecast's kind (0 none, 1 wire
     * format, 2 compact), its length and bytes. Read, never written: version 3, the same layout written before
     * histories had a body, so its ring is the whole history, which reads as a tail without a body; version 2, the
     * same with the ring's values as doubles; version 1, the ring as doubles, then the forecast's length (-1: none)
     * and its wire-format bytes. An app from before version 4 refuses version 4 instead of reading a tail as a whole
     * history.
     */
    public static final class StoreSerde implements Serde<SeriesState> {
        private static final byte VERSION = 4;
        private static final byte VERSION_3 = 3;
        private static final byte VERSION_2 = 2;
        private static final byte VERSION_1 = 1;
        /** Numbers are little-endian: the byte order of the machines we run on, so nothing is swapped. */
        private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

        @Override
        public Serializer<SeriesState> serializer() {
            return (topic, s) -> s == null ? null : encode(s);
        }

        @Override
        public Deserializer<SeriesState> deserializer() {
            return (topic, data) -> data == null ? null : decode(data, "series state in " + topic);
        }

        static byte[] encode(SeriesState s) {
            int forecast = s.hasForecast() ? s.forecastLength : 0;
            ByteBuffer b = ByteBuffer.allocate(1 + 8 + s.tail.encodedSize() + 1 + 4 + forecast).order(ORDER);
            b.put(VERSION).putLong(s.lastActiveBucket);
            s.tail.writeTo(b);
            b.put(s.forecastKind).putInt(forecast);
            if (forecast > 0) {
                b.put(s.forecastBytes, s.forecastOffset, forecast);
            }
            return b.array();
        }

        static SeriesState decode(byte[] data, String what) {
            ByteBuffer b = ByteBuffer.wrap(data).order(ORDER);
            if (data.length < 1 + 8 + 16 + 5) {
                throw new SerializationException(what + ": expected at least " + (1 + 8 + 16 + 5) + " bytes, got "
                        + data.length);
            }
            byte version = b.get();
            if (version != VERSION && version != VERSION_3 && version != VERSION_2 && version != VERSION_1) {
                throw new SerializationException(what + ": expected layout version " + VERSION + " (or "
                        + VERSION_3 + ", " + VERSION_2 + " or " + VERSION_1 + "), got " + version);
            }
            long lastActive = b.getLong();
            SalesRing tail = SalesRing.readFrom(b, what, version == VERSION_2 || version == VERSION_1);
            byte kind;
            if (version == VERSION_1) {
                kind = WIRE;
            } else {
                if (!b.hasRemaining()) {
                    throw new SerializationException(what + ": expected the forecast's kind after the history, "
                            + "got no bytes");
                }
                kind = b.get();
                if (kind != NO_FORECAST && kind != WIRE && kind != COMPACT) {
                    throw new SerializationException(what + ": expected forecast kind " + NO_FORECAST + ", " + WIRE
                            + " or " + COMPACT + ", got " + kind);
                }
            }
            if (b.remaining() < 4) {
                throw new SerializationException(what + ": expected the forecast's length after the history, got "
                        + b.remaining() + " bytes");
            }
            int n = b.getInt();
            if (version == VERSION_1 && n == -1 && !b.hasRemaining()) {
                return new SeriesState(tail, lastActive, NO_FORECAST, null, 0, 0);
            }
            if (n < 0 || n != b.remaining() || (kind == NO_FORECAST && n != 0)) {
                throw new SerializationException(what + ": expected a forecast of the remaining " + b.remaining()
                        + " bytes" + (version == VERSION_1 ? " (or -1 for none)" : "") + ", got a length of " + n);
            }
            return new SeriesState(tail, lastActive, kind, data, b.position(), n);
        }
    }
}
