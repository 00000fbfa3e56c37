package io.demandcast.app.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.app.eventtime.BucketClock;
import io.demandcast.model.Bucket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * A series' history split into a stored body and the tail its state keeps: joined, they give what one ring of the
 * same capacity would have held, and the close finds each body by walking the store in key order.
 */
class HistoryBodyTest {

    private static final BucketClock CLOCK = new BucketClock(Bucket.DAY, 1);
    private static final long DAY0 = Instant.parse("2011-01-03T00:00:00Z").toEpochMilli();
    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    @Provide
    Arbitrary<double[]> units() {
        return Arbitraries.doubles().between(-5, 500).ofScale(0).array(double[].class).ofMinSize(0).ofMaxSize(60);
    }

    /** Prices for {@code n} buckets, NaN (nothing sold) where {@code i % gaps == 0}. */
    private static double price(int i, int gaps) {
        return gaps > 0 && i % gaps == 0 ? Double.NaN : 1.0 + (i % 7) * 0.25f;
    }

    private static void append(SalesRing ring, int i, double units, int gaps, int capacity) {
        ring.append(CLOCK, DAY0 + i * DAY_MS, units, price(i, gaps), capacity);
    }

    @Property(tries = 300)
    void aBodyAndItsTailHoldWhatOneRingHolds(@ForAll("units") double[] units,
                                              @ForAll @IntRange(min = 0, max = 60) int cut,
                                              @ForAll @IntRange(min = 1, max = 40) int capacity,
                                              @ForAll @IntRange(min = 0, max = 4) int gaps) {
        int k = Math.min(cut, units.length);
        SalesRing one = SalesRing.empty();
        SalesRing body = SalesRing.empty();
        for (int i = 0; i < units.length; i++) {
            append(one, i, units[i], gaps, capacity);
            if (i < k) {
                append(body, i, units[i], gaps, capacity);
            }
        }
        // The tail starts empty but carries the body's last price, as a state does after a fold.
        SalesRing tail = body.emptied();
        for (int i = k; i < units.length; i++) {
            append(tail, i, units[i], gaps, Integer.MAX_VALUE);
        }
        SalesRing joined = SalesRing.joined(CLOCK, body, tail);
        assertThat(joined.length()).isEqualTo(body.length() + tail.length());
        assertThat(joined.last(CLOCK, capacity).sameAs(one)).as("%s + %s against %s", body, tail, one).isTrue();
        if (one.length() > 0) {
            assertThat(joined.last(CLOCK, capacity).toHistory("p", Bucket.DAY))
                    .usingRecursiveComparison().isEqualTo(one.toHistory("p", Bucket.DAY));
        }
    }

    @Test
    void aTailThatDoesNotStartWhereTheBodyEndsIsRefused() {
        SalesRing body = SalesRing.empty();
        append(body, 0, 1, 0, 10);
        append(body, 1, 2, 0, 10);
        SalesRing tail = SalesRing.empty();
        append(tail, 3, 4, 0, 10);
        assertThatThrownBy(() -> SalesRing.joined(CLOCK, body, tail)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the body ends at 2011-01-05T00:00:00Z, the tail starts at 2011-01-06");
    }

    @Property(tries = 200)
    void aStoredBodyDecodesToTheSameBuckets(@ForAll("units") double[] units,
                                            @ForAll @IntRange(min = 0, max = 4) int gaps) {
        SalesRing ring = SalesRing.empty();
        for (int i = 0; i < units.length; i++) {
            append(ring, i, units[i], gaps, 120);
        }
        SalesRing.StoreSerde serde = new SalesRing.StoreSerde();
        byte[] bytes = serde.serializer().serialize("t", ring);
        SalesRing back = serde.deserializer().deserialize("t", bytes);
        // Integer units and prices that are floats: the stored body is exact.
        assertThat(back.sameAs(ring)).as("%s decoded as %s", ring, back).isTrue();
        assertThat(serde.serializer().serialize("t", back)).isEqualTo(bytes);
    }

    @Test
    void aBodyOfAnotherLayoutOrWithTrailingBytesIsRefused() {
        SalesRing ring = SalesRing.empty();
        append(ring, 0, 3, 0, 10);
        SalesRing.StoreSerde serde = new SalesRing.StoreSerde();
        byte[] bytes = serde.serializer().serialize("t", ring);
        byte[] other = bytes.clone();
        other[0] = 9;
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", other))
                .isInstanceOf(SerializationException.class)
                .hasMessage("series history in t: expected layout version 1, got 9");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", longer))
                .isInstanceOf(SerializationException.class).hasMessageContaining("2 bytes after the history");
    }

    @Provide
    Arbitrary<String> keys() {
        // Weighted toward where UTF-16 and UTF-8 orders part: U+E000..U+FFFF against code points above U+FFFF.
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between('a', 'e')),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xD000, 0xD7FF)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xE000, 0xFFFF)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMaxSize(4).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    @Property(tries = 2000)
    void keysCompareAsTheStoreOrdersTheirUtf8Bytes(@ForAll("keys") String a, @ForAll("keys") String b) {
        int bytes = Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
        assertThat(Integer.signum(BucketAggregator.storeOrder(a, b))).as("%s vs %s", a, b)
                .isEqualTo(Integer.signum(bytes));
    }

    @Test
    void aKeyAboveUffffSortsAfterOneInThePrivateUseArea() {
        String high = new StringBuilder().appendCodePoint(0x1F600).toString();
        assertThat(high.compareTo("\uE000")).as("UTF-16 order").isNegative();
        assertThat(BucketAggregator.storeOrder(high, "\uE000")).as("store order").isPositive();
        assertThat(List.of("b", "a", "ab").stream().sorted(BucketAggregator::storeOrder).toList())
                .containsExactly("a", "ab", "b");
    }
}
