package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.SalesBucket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The hand-written encoders write exactly the bytes of Avro's own writer, and stand aside for another schema. */
class HotPathEncodersTest {

    @Test
    void theEncodersFollowTheCurrentSchemas() {
        // Fails when an .avsc changes: update the encoder in HotPathEncoders and its fingerprint together.
        assertThat(HotPathEncoders.forType(Forecast.class, Forecast.getClassSchema()))
                .as("Forecast encoder (schema fingerprint 0x%x)",
                        HotPathEncoders.fingerprint(Forecast.getClassSchema()))
                .isNotNull();
        assertThat(HotPathEncoders.forType(SalesBucket.class, SalesBucket.getClassSchema()))
                .as("SalesBucket encoder (schema fingerprint 0x%x)",
                        HotPathEncoders.fingerprint(SalesBucket.getClassSchema()))
                .isNotNull();
    }

    @Test
    void aChangedSchemaFallsBackToTheGenericWriter() {
        // The same fields with timestamp-micros: the same parsing canonical form, different bytes.
        Schema changed = new Schema.Parser().parse(SalesBucket.getClassSchema().toString()
                .replace("timestamp-millis", "timestamp-micros"));
        assertThat(HotPathEncoders.forType(SalesBucket.class, changed)).isNull();
        assertThat(HotPathEncoders.forType(ForecastStep.class, ForecastStep.getClassSchema())).isNull();
    }

    @Property(tries = 300)
    void forecastBytesEqualAvros(@ForAll("forecasts") Forecast f) throws IOException {
        assertThat(hand(Forecast.class, Forecast.getClassSchema(), f))
                .isEqualTo(avro(Forecast.getClassSchema(), f));
    }

    @Property(tries = 300)
    void salesBucketBytesEqualAvros(@ForAll("buckets") SalesBucket b) throws IOException {
        assertThat(hand(SalesBucket.class, SalesBucket.getClassSchema(), b))
                .isEqualTo(avro(SalesBucket.getClassSchema(), b));
    }

    private static <T> byte[] hand(Class<T> type, Schema schema, T record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        HotPathEncoders.forType(type, schema).encode(record, out);
        out.flush();
        return bytes.toByteArray();
    }

    private static <T> byte[] avro(Schema schema, T record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<T>(schema).write(record, out);
        out.flush();
        return bytes.toByteArray();
    }

    private static Arbitrary<String> text() {
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF')
                .ofMaxLength(30);
    }

    private static Arbitrary<Instant> time() {
        return Arbitraries.longs().between(-62_135_596_800_000L, 253_402_300_799_999L).map(Instant::ofEpochMilli);
    }

    private static Arbitrary<Double> number() {
        return Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY)
                .withSpecialValue(-0.0);
    }

    @Provide
    Arbitrary<Forecast> forecasts() {
        return anyForecast();
    }

    /** Any forecast Avro can carry: any text, any instant it can hold, NaN and infinities among the numbers. */
    static Arbitrary<Forecast> anyForecast() {
        Arbitrary<ForecastStep> step = Combinators.combine(time(), number(), number(), number())
                .as(ForecastStep::new);
        Arbitrary<List<ForecastStep>> steps = step.list().ofMaxSize(40);
        return Combinators.combine(text(), time(), steps, text(), text(), time())
                .as((series, last, s, version, method, produced) -> Forecast.newBuilder().setSeries(series)
                        .setLastObservedBucket(last).setSteps(s).setModelVersion(version).setMethod(method)
                        .setProducedAt(produced).build());
    }

    @Provide
    Arbitrary<SalesBucket> buckets() {
        return Combinators.combine(text(), time(), time(), number(), number(), Arbitraries.integers(),
                        number().injectNull(0.3), Arbitraries.of(true, false))
                .as((series, start, end, units, revenue, orders, price, zero) -> SalesBucket.newBuilder()
                        .setSeries(series).setBucketStart(start).setBucketEnd(end).setUnits(units)
                        .setRevenue(revenue).setOrderCount(orders).setMeanPrice(price).setZeroFilled(zero)
                        .build());
    }
}
