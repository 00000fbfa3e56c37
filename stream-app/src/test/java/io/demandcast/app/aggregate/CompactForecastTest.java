package io.demandcast.app.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.Bucket;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.registry.ForecastEncoder;
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

/** The forecast a series' state keeps rebuilds the record that was published, bucket starts included. */
class CompactForecastTest {

    private static final Instant LAST = Instant.parse("2011-12-01T00:00:00Z");

    @Property(tries = 300)
    void theRecordRebuiltFromTheStateIsThePublishedOne(@ForAll("values") List<Double> values,
                                                       @ForAll Bucket bucket, @ForAll("texts") String version,
                                                       @ForAll("texts") String method) {
        int n = values.size() / 3;
        long[] starts = new long[n];
        for (int h = 0; h < n; h++) {
            starts[h] = bucket.plus(LAST, h + 1L).toEpochMilli();
        }
        ForecastEncoder.Steps steps = steps(values, starts);
        Forecast published = ForecastEncoder.record("S1", LAST.toEpochMilli(), steps, version, method, 1234L);

        byte[] compact = CompactForecast.encode(LAST.toEpochMilli(), steps, version, method, 1234L);
        byte[] padded = new byte[compact.length + 7];
        System.arraycopy(compact, 0, padded, 3, compact.length);

        assertThat(CompactForecast.toRecord("S1", padded, 3, compact.length, bucket)).isEqualTo(published);
    }

    /** The LSTM's values are floats: kept as 4 bytes each, which is what makes the state smaller than the wire. */
    @Property(tries = 50)
    void floatValuesTakeFourBytesAndOtherDoublesEight(@ForAll @IntRange(min = 1, max = 40) int n) {
        long[] starts = new long[n];
        Double[] floats = new Double[3 * n];
        Arrays.fill(floats, (double) 1.25f);
        Double[] doubles = floats.clone();
        doubles[n] = 0.1;
        int header = 1 + 8 + 8 + 2 + 1 + 2 + 4 + 4;
        assertThat(CompactForecast.encode(0, steps(List.of(floats), starts), "v", "lstm", 0)).hasSize(header + 12 * n);
        assertThat(CompactForecast.encode(0, steps(List.of(doubles), starts), "v", "lstm", 0))
                .hasSize(header + 24 * n);
    }

    @Property(tries = 100)
    void cutShortBytesAreRefusedNamingTheSeries(@ForAll @IntRange(min = 1, max = 200) int cut) {
        long[] starts = new long[28];
        Double[] values = new Double[84];
        Arrays.fill(values, 2.0);
        byte[] compact = CompactForecast.encode(0, steps(List.of(values), starts), "v1", "lstm", 0);
        int length = compact.length - 1 - (cut % compact.length);
        assertThatThrownBy(() -> CompactForecast.toRecord("S9", compact, 0, length, Bucket.DAY))
                .isInstanceOf(SerializationException.class).hasMessageContaining("S9");
    }

    private static ForecastEncoder.Steps steps(List<Double> values, long[] starts) {
        return ForecastEncoder.Steps.of(starts, values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Provide
    Arbitrary<List<Double>> values() {
        Arbitrary<Double> any = Arbitraries.oneOf(Arbitraries.doubles().between(0, 1e6),
                Arbitraries.floats().between(0f, 1e6f).map(f -> (double) f), Arbitraries.just(0.0));
        return Arbitraries.integers().between(0, 30).flatMap(n -> any.list().ofSize(3 * n));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(20);
    }
}
