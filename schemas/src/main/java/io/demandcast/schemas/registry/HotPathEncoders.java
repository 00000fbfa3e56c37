package io.demandcast.schemas.registry;

import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.SalesBucket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.Encoder;

/**
 * Hand-written Avro binary encoders for the records a forecast cycle writes by the hundred thousand
 * ({@link Forecast}, {@link SalesBucket}). Avro's generic writer looks up every field, boxes every number and
 * checks every logical type per value; in the profile of a 100,000-series close that was the largest share of the
 * stream threads' time. These write the same bytes (checked against {@code SpecificDatumWriter} on random records)
 * field by field.
 *
 * <p>Each encoder is bound to the parsing fingerprint of the schema it was written for. When the generated class's
 * schema differs (someone changed the .avsc), {@link #forType} returns null and the generic writer is used: a stale
 * encoder can cost speed, never correctness.
 */
final class HotPathEncoders {

    /** Writes one record's fields in schema order. */
    interface RecordEncoder<T> {
        void encode(T record, Encoder out) throws IOException;
    }

    private record Bound(long fingerprint, RecordEncoder<?> encoder) {
    }

    /**
     * Fingerprints of the full schema text the encoders below follow ({@link #fingerprint}): the parsing canonical
     * form would miss a changed logical type, and a changed doc only costs the fast path.
     */
    static final long FORECAST_FINGERPRINT = 0xfae4b1ab3a9ddb5fL;
    static final long SALES_BUCKET_FINGERPRINT = 0xbddc796f7bf881afL;

    private static final Map<Class<?>, Bound> ENCODERS = Map.of(
            Forecast.class, new Bound(FORECAST_FINGERPRINT, (RecordEncoder<Forecast>) HotPathEncoders::forecast),
            SalesBucket.class, new Bound(SALES_BUCKET_FINGERPRINT,
                    (RecordEncoder<SalesBucket>) HotPathEncoders::salesBucket));

    private HotPathEncoders() {
    }

    /** The encoder for records of {@code type} with schema {@code schema}, or null to use the generic writer. */
    @SuppressWarnings("unchecked")
    static <T> RecordEncoder<T> forType(Class<T> type, Schema schema) {
        Bound bound = ENCODERS.get(type);
        if (bound == null || bound.fingerprint() != fingerprint(schema)) {
            return null;
        }
        return (RecordEncoder<T>) bound.encoder();
    }

    static long fingerprint(Schema schema) {
        return SchemaNormalization.fingerprint64(schema.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void forecast(Forecast f, Encoder out) throws IOException {
        forecast(f.getSeries(), f.getLastObservedBucket().toEpochMilli(), ForecastEncoder.Steps.of(f.getSteps()),
                f.getModelVersion(), f.getMethod(), f.getProducedAt().toEpochMilli(), out);
    }

    /** A {@link Forecast}'s fields in schema order, from the numbers themselves (see {@link ForecastEncoder}). */
    static void forecast(String series, long lastObservedBucket, ForecastEncoder.Steps steps,
                         String modelVersion, String method, long producedAt, Encoder out)
            throws IOException {
        out.writeString(series);
        out.writeLong(lastObservedBucket);
        int n = steps.count();
        out.writeArrayStart();
        out.setItemCount(n);
        for (int h = 0; h < n; h++) {
            out.startItem();
            out.writeLong(steps.bucketStart(h));
            out.writeDouble(steps.p10(h));
            out.writeDouble(steps.p50(h));
            out.writeDouble(steps.p90(h));
        }
        out.writeArrayEnd();
        out.writeString(modelVersion);
        out.writeString(method);
        out.writeLong(producedAt);
    }

    private static void salesBucket(SalesBucket b, Encoder out) throws IOException {
        out.writeString(b.getSeries());
        out.writeLong(b.getBucketStart().toEpochMilli());
        out.writeLong(b.getBucketEnd().toEpochMilli());
        out.writeDouble(b.getUnits());
        out.writeDouble(b.getRevenue());
        out.writeInt(b.getOrderCount());
        Double meanPrice = b.getMeanPrice();
        if (meanPrice == null) {
            out.writeIndex(0);
            out.writeNull();
        } else {
            out.writeIndex(1);
            out.writeDouble(meanPrice);
        }
        out.writeBoolean(b.getZeroFilled());
    }
}
