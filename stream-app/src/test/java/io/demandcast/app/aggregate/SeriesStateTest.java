package io.demandcast.app.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.app.eventtime.BucketClock;
import io.demandcast.app.ingest.Origin;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.Forecast;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** The store value a close reads and rewrites for every series, and the history it hands the model. */
class SeriesStateTest {

    private static final BucketClock CLOCK = new BucketClock(Bucket.DAY, 1);
    private static final long DAY0 = Instant.parse("2011-01-03T00:00:00Z").toEpochMilli();
    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    /** A bucket's net units and mean price; NaN: nothing sold in it. */
    record Closed(double units, double price) {
    }

    @Provide
    Arbitrary<List<Closed>> buckets() {
        Arbitrary<Double> units = Arbitraries.oneOf(Arbitraries.just(0.0),
                Arbitraries.doubles().between(-50, 1e6).ofScale(3));
        Arbitrary<Double> price = Arbitraries.oneOf(Arbitraries.just(Double.NaN),
                Arbitraries.doubles().between(0.01, 1e4).ofScale(2));
        Arbitrary<Closed> bucket = units.flatMap(u -> price.map(p -> new Closed(u, p)));
        return bucket.list().ofMinSize(0).ofMaxSize(150);
    }

    @Provide
    Arbitrary<byte[]> forecasts() {
        return Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(400));
    }

    private static SeriesState state(List<Closed> closed, int capacity, byte[] forecast) {
        SeriesState s = SeriesState.fresh(DAY0);
        for (int i = 0; i < closed.size(); i++) {
            long b = DAY0 + i * DAY_MS;
            if (!Double.isNaN(closed.get(i).price())) {
                s.active(b);
            }
            s.tail().append(CLOCK, b, closed.get(i).units(), closed.get(i).price(), capacity);
        }
        if (forecast != null) {
            s.latestForecast(forecast);
        }
        return s;
    }

    @Property(tries = 300)
    void decodingAnEncodedStateGivesItBack(@ForAll("buckets") List<Closed> closed,
                                           @ForAll @IntRange(min = 1, max = 130) int capacity,
                                           @ForAll("forecasts") byte[] forecast) {
        SeriesState s = state(closed, capacity, forecast);
        SeriesState back = SeriesState.StoreSerde.decode(SeriesState.StoreSerde.encode(s), "test");
        // The store keeps prices as floats (only the model reads them, as floats); units stay exact.
        SeriesState expected = state(withFloatPrices(closed), capacity, forecast);
        assertThat(back.sameAs(expected)).as("%s decoded as %s", expected, back).isTrue();
        assertThat(back.tail().length()).isEqualTo(Math.min(closed.size(), capacity));
    }

    /**
     * A decoded state points at its forecast inside the stored bytes rather than copying it out: encoding it again
     * untouched must give the same bytes, and a forecast set afterwards replaces the stored one.
     */
    @Property(tries = 200)
    void aDecodedStateReEncodesItsStoredForecastAndTakesANewOne(@ForAll("buckets") List<Closed> closed,
                                                               @ForAll("forecasts") byte[] forecast,
                                                               @ForAll("forecasts") byte[] next) {
        byte[] stored = SeriesState.StoreSerde.encode(state(closed, 120, forecast));
        SeriesState back = SeriesState.StoreSerde.decode(stored, "test");
        assertThat(SeriesState.StoreSerde.encode(back)).isEqualTo(stored);
        assertThat(back.hasForecast()).isEqualTo(forecast != null);
        if (next != null) {
            back.latestForecast(next);
            SeriesState again = SeriesState.StoreSerde.decode(SeriesState.StoreSerde.encode(back), "test");
            assertThat(again.sameAs(state(withFloatPrices(closed), 120, next))).isTrue();
        }
    }

    /**
     * Layout 3 is layout 4's bytes, written before histories had a stored body: its ring is the whole history, and it
     * reads as a tail without a body (the next close folds it into one).
     */
    @Property(tries = 100)
    void aStateOfLayoutThreeReadsAsATailWithTheSameContent(@ForAll("buckets") List<Closed> closed,
                                                           @ForAll("forecasts") byte[] forecast) {
        byte[] v4 = SeriesState.StoreSerde.encode(state(closed, 120, forecast));
        assertThat(v4[0]).isEqualTo((byte) 4);
        byte[] v3 = v4.clone();
        v3[0] = 3;
        SeriesState back = SeriesState.StoreSerde.decode(v3, "test");
        assertThat(back.sameAs(SeriesState.StoreSerde.decode(v4, "test"))).isTrue();
        assertThat(SeriesState.StoreSerde.encode(back)).isEqualTo(v4);
    }

    /**
     * States written before the compact forecast (layout 1: the forecast in the wire format of {@code forecasts},
     * or -1 for none) still decode: the forecast is read through the topic's deserializer, and is carried over
     * untouched when the state is written again.
     */
    @Property(tries = 100)
    void aStateOfLayoutOneStillDecodesWithItsWireForecast(@ForAll("buckets") List<Closed> closed,
                                                           @ForAll("forecasts") byte[] wire) {
        SeriesState source = state(closed, 120, null);
        ByteBuffer v1 = ByteBuffer.allocate(1 + 8 + 8 + 8 + 4 + source.tail().length() * 16 + 4
                + (wire == null ? 0 : wire.length)).order(ByteOrder.LITTLE_ENDIAN);
        v1.put((byte) 1).putLong(source.lastActiveBucket());
        source.tail().writeDoublesTo(v1);
        v1.putInt(wire == null ? -1 : wire.length);
        if (wire != null) {
            v1.put(wire);
        }
        byte[] old = v1.array();
        SeriesState back = SeriesState.StoreSerde.decode(old, "test");
        // Layouts 1 and 2 kept the history's values as doubles: they come back exactly.
        assertThat(back.tail().sameAs(source.tail())).isTrue();
        assertThat(back.hasForecast()).isEqualTo(wire != null);
        Forecast marker = Forecast.newBuilder().setSeries("S").setLastObservedBucket(Instant.EPOCH)
                .setSteps(List.of()).setModelVersion("v").setMethod("m").setProducedAt(Instant.EPOCH).build();
        Deserializer<Forecast> reader = (topic, bytes) -> {
            assertThat(topic).isEqualTo("forecasts");
            assertThat(bytes).isEqualTo(wire);
            return marker;
        };
        assertThat(back.latestForecast("S", Bucket.DAY, reader, "forecasts")).isEqualTo(wire == null ? null : marker);
        SeriesState again = SeriesState.StoreSerde.decode(SeriesState.StoreSerde.encode(back), "test");
        assertThat(again.latestForecast("S", Bucket.DAY, reader, "forecasts")).isEqualTo(wire == null ? null : marker);
    }

    @Property(tries = 200)
    void anyCutShortEncodingIsRefusedWithASerializationError(@ForAll("buckets") List<Closed> closed,
                                                             @ForAll("forecasts") byte[] forecast,
                                                             @ForAll @IntRange(min = 1, max = 10_000) int cut) {
        byte[] whole = SeriesState.StoreSerde.encode(state(closed, 120, forecast));
        byte[] shorter = Arrays.copyOf(whole, whole.length - 1 - (cut % whole.length));
        assertThatThrownBy(() -> SeriesState.StoreSerde.decode(shorter, "series state in test"))
                .isInstanceOf(SerializationException.class).hasMessageStartingWith("series state in test");
    }

    @Test
    void anotherLayoutVersionIsRefusedNamingBoth() {
        byte[] bytes = SeriesState.StoreSerde.encode(state(List.of(new Closed(1, 2)), 10, new byte[3]));
        bytes[0] = 7;
        assertThatThrownBy(() -> SeriesState.StoreSerde.decode(bytes, "series state in t"))
                .isInstanceOf(SerializationException.class)
                .hasMessage("series state in t: expected layout version 4 (or 3, 2 or 1), got 7");
    }

    /** A state of layout 2 (the history as doubles, the forecast compact) decodes to the same state. */
    @Property(tries = 100)
    void aStateOfLayoutTwoStillDecodes(@ForAll("buckets") List<Closed> closed, @ForAll("forecasts") byte[] forecast) {
        SeriesState source = state(closed, 120, forecast);
        int n = forecast == null ? 0 : forecast.length;
        ByteBuffer v2 = ByteBuffer.allocate(1 + 8 + 8 + 8 + 4 + source.tail().length() * 16 + 1 + 4 + n)
                .order(ByteOrder.LITTLE_ENDIAN);
        v2.put((byte) 2).putLong(source.lastActiveBucket());
        source.tail().writeDoublesTo(v2);
        v2.put((byte) (forecast == null ? 0 : 2)).putInt(n);
        if (forecast != null) {
            v2.put(forecast);
        }
        assertThat(SeriesState.StoreSerde.decode(v2.array(), "test").sameAs(source)).isTrue();
    }

    /** Whole units are kept in 4 bytes a bucket, others in 8 (exact); prices always in 4. */
    @Property(tries = 100)
    void wholeUnitsTakeFourBytesAndOthersEight(@ForAll @Size(min = 1, max = 120) List<@IntRange(min = 0,
            max = 100_000) Integer> units) {
        List<Closed> whole = units.stream().map(u -> new Closed(u, 2.55)).toList();
        List<Closed> halves = units.stream().map(u -> new Closed(u + 0.1, 2.55)).toList();
        int n = units.size();
        assertThat(SeriesState.StoreSerde.encode(state(halves, 120, null)).length
                - SeriesState.StoreSerde.encode(state(whole, 120, null)).length).isEqualTo(4 * n);
        SeriesState back = SeriesState.StoreSerde.decode(SeriesState.StoreSerde.encode(state(halves, 120, null)),
                "test");
        assertThat(back.tail().units()).containsExactly(halves.stream().mapToDouble(Closed::units).toArray());
    }

    private static List<Closed> withFloatPrices(List<Closed> closed) {
        return closed.stream().map(c -> new Closed(c.units(), (float) c.price())).toList();
    }

    /** The history the model sees: demand never negative, price carried forward (and back before the first). */
    @Property(tries = 300)
    void theHistoryClampsDemandAndCarriesThePrice(@ForAll("buckets") List<Closed> closed,
                                                   @ForAll @IntRange(min = 1, max = 130) int capacity) {
        Assume.that(!closed.isEmpty());
        SeriesState s = state(closed, capacity, null);
        SeriesHistory h = s.tail().toHistory("p", Bucket.DAY);
        List<Closed> kept = closed.subList(closed.size() - s.tail().length(), closed.size());
        assertThat(h.length()).isEqualTo(kept.size());
        double lastKnown = Double.NaN;
        for (Closed c : closed) {
            lastKnown = Double.isNaN(c.price()) ? lastKnown : c.price();
        }
        double firstKept = kept.stream().mapToDouble(Closed::price).filter(p -> !Double.isNaN(p)).findFirst()
                .orElse(Double.isNaN(lastKnown) ? 0.0 : lastKnown);
        double carry = firstKept;
        double[] price = h.covariates().get(SalesRing.PRICE);
        for (int i = 0; i < kept.size(); i++) {
            assertThat(h.units()[i]).isEqualTo(Math.max(0.0, kept.get(i).units()));
            carry = Double.isNaN(kept.get(i).price()) ? carry : kept.get(i).price();
            assertThat(price[i]).as("price %d", i).isEqualTo(carry);
        }
        assertThat(h.start()).isEqualTo(Instant.ofEpochMilli(DAY0 + (closed.size() - kept.size()) * DAY_MS));
    }

    /** Histories may share the ring's arrays: appending later must not change one already handed out. */
    @Property(tries = 200)
    void aHistoryHandedOutIsNotChangedByLaterAppends(@ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0,
            max = 100) Integer> units, @ForAll @IntRange(min = 1, max = 20) int capacity) {
        SalesRing ring = SalesRing.empty();
        for (int i = 0; i < units.size(); i++) {
            ring.append(CLOCK, DAY0 + i * DAY_MS, units.get(i), 2.0, capacity);
        }
        SeriesHistory before = ring.toHistory("p", Bucket.DAY);
        double[] unitsBefore = before.units().clone();
        double[] priceBefore = before.covariates().get(SalesRing.PRICE).clone();
        ring.append(CLOCK, DAY0 + units.size() * DAY_MS, 1_000.0, 9.0, capacity);
        assertThat(before.units()).containsExactly(unitsBefore);
        assertThat(before.covariates().get(SalesRing.PRICE)).containsExactly(priceBefore);
    }

    @Test
    void theTallyKeepsOnlyOpenBucketsAndSurvivesItsStoreEncoding() {
        SeriesTally t = SeriesTally.empty();
        Origin o = new Origin("orders", 0, 1, "k");
        t.add(DAY0 + DAY_MS, new SeriesSale("p", DAY0 + DAY_MS + 5, 3, 6, 3, 6, o));
        t.add(DAY0, new SeriesSale("p", DAY0 + 5, -1, -2, 0, 0, o));
        t.add(DAY0, new SeriesSale("p", DAY0 + 6, 2, 5, 2, 5, o));
        var serde = new SeriesTally.StoreSerde();
        SeriesTally back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", t));
        assertThat(back.firstOpen()).isEqualTo(DAY0);
        SeriesTally.Sums first = back.take(DAY0);
        assertThat(Map.of("units", first.units(), "revenue", first.revenue(), "orders", (double) first.orders(),
                "price", first.meanPrice())).isEqualTo(Map.of("units", 1.0, "revenue", 3.0, "orders", 2.0,
                "price", 2.5));
        assertThat(back.firstOpen()).isEqualTo(DAY0 + DAY_MS);
        assertThat(back.take(DAY0 + DAY_MS).units()).isEqualTo(3.0);
        assertThat(back.hasOpenBuckets()).isFalse();
        assertThat(back.firstOpen()).isEqualTo(BucketClock.UNSET);
    }
}
