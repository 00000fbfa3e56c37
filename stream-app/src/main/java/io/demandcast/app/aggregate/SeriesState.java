package io.demandcast.app.aggregate;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What a close reads and rewrites for every series of the task, folded into one store value so that a close costs
 * one store entry read and one write (one changelog record) per series: the closed buckets ({@link SalesRing}), the
 * last bucket with any order (for retirement) and the latest forecast in the wire format of {@code forecasts} (what
 * REST answers). The sums of open buckets stay in {@link SeriesTally}: orders update those, and a sale must not
 * rewrite the whole history.
 */
public final class SeriesState {

    private final SalesRing ring;
    private long lastActiveBucket;
    /**
     * The latest forecast: {@code forecastLength} bytes (-1: none) at {@code forecastOffset} of {@code forecastBytes},
     * which for a decoded state are the stored bytes themselves. A close replaces every series' forecast without
     * reading it, so decoding does not copy it out (that copy was a tenth of a close's allocations).
     */
    private byte[] forecastBytes;
    private int forecastOffset;
    private int forecastLength;

    private SeriesState(SalesRing ring, long lastActiveBucket, byte[] forecastBytes, int forecastOffset,
                        int forecastLength) {
        this.ring = ring;
        this.lastActiveBucket = lastActiveBucket;
        this.forecastBytes = forecastBytes;
        this.forecastOffset = forecastOffset;
        this.forecastLength = forecastLength;
    }

    /** A series closing its first bucket: no history, no forecast yet. */
    public static SeriesState fresh(long firstBucket) {
        return new SeriesState(SalesRing.empty(), firstBucket, null, 0, -1);
    }

    public SalesRing ring() {
        return ring;
    }

    public long lastActiveBucket() {
        return lastActiveBucket;
    }

    /** Records that the series had an order in {@code bucketStart}. */
    public void active(long bucketStart) {
        lastActiveBucket = Math.max(lastActiveBucket, bucketStart);
    }

    /** The latest forecast's bytes in the wire format of {@code forecasts}; null before the first. */
    public byte[] latestForecast() {
        if (forecastLength < 0) {
            return null;
        }
        if (forecastOffset != 0 || forecastLength != forecastBytes.length) {
            forecastBytes = Arrays.copyOfRange(forecastBytes, forecastOffset, forecastOffset + forecastLength);
            forecastOffset = 0;
        }
        return forecastBytes;
    }

    public void latestForecast(byte[] encoded) {
        this.forecastBytes = Objects.requireNonNull(encoded, "encoded forecast");
        this.forecastOffset = 0;
        this.forecastLength = encoded.length;
    }

    @Override
    public String toString() {
        return "SeriesState{lastActive=" + lastActiveBucket + ", " + ring + ", forecast "
                + (forecastLength < 0 ? "none" : forecastLength + " bytes") + "}";
    }

    /** Equal content, for tests of the encoding. */
    boolean sameAs(SeriesState o) {
        return lastActiveBucket == o.lastActiveBucket && ring.sameAs(o.ring)
                && Arrays.equals(latestForecast(), o.latestForecast());
    }

    /**
     * Store bytes: version, last active bucket, the ring ({@link SalesRing#writeTo}), the forecast's length (-1: none)
     * and bytes; numbers little-endian.
     */
    public static final class StoreSerde implements Serde<SeriesState> {
        private static final byte VERSION = 1;
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
            int forecast = Math.max(0, s.forecastLength);
            ByteBuffer b = ByteBuffer.allocate(1 + 8 + s.ring.encodedSize() + 4 + forecast).order(ORDER);
            b.put(VERSION).putLong(s.lastActiveBucket);
            s.ring.writeTo(b);
            b.putInt(s.forecastLength);
            if (s.forecastLength >= 0) {
                b.put(s.forecastBytes, s.forecastOffset, s.forecastLength);
            }
            return b.array();
        }

        static SeriesState decode(byte[] data, String what) {
            ByteBuffer b = ByteBuffer.wrap(data).order(ORDER);
            if (data.length < 1 + 8 + 20 + 4) {
                throw new SerializationException(what + ": expected at least " + (1 + 8 + 20 + 4) + " bytes, got "
                        + data.length);
            }
            byte version = b.get();
            if (version != VERSION) {
                throw new SerializationException(what + ": expected layout version " + VERSION + ", got " + version);
            }
            long lastActive = b.getLong();
            SalesRing ring = SalesRing.readFrom(b, what);
            if (b.remaining() < 4) {
                throw new SerializationException(what + ": expected the forecast's length after the history, got "
                        + b.remaining() + " bytes");
            }
            int n = b.getInt();
            if (n == -1 ? b.hasRemaining() : n != b.remaining()) {
                throw new SerializationException(what + ": expected a forecast of the remaining " + b.remaining()
                        + " bytes (or -1 for none), got a length of " + n);
            }
            return new SeriesState(ring, lastActive, data, b.position(), n);
        }
    }
}
