package io.demandcast.schemas.registry;

import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes {@link Forecast}s in a topic's wire format straight from their numbers, without building the Avro record
 * and its {@link ForecastStep}s: a forecast cycle of 100,000 series made 2.8 million step records per close only to
 * encode them. The bytes are those the topic's serializer writes for the same record (the hand-written encoder of
 * {@link HotPathEncoders}); when the serializer is not this package's, or the schema no longer matches that
 * encoder, the record is built and handed to the serializer instead.
 */
public final class ForecastEncoder {

    /** The steps of one forecast, read by index; a caller may reuse one view for forecast after forecast. */
    public interface Steps {
        int count();

        /** Start of step {@code step}'s bucket, epoch milliseconds. */
        long bucketStart(int step);

        double p10(int step);

        double p50(int step);

        double p90(int step);

        /** Steps from their bucket starts and their values, P10, P50 and P90 of each step in turn. */
        static Steps of(long[] bucketStarts, double[] values) {
            if (values.length != 3 * bucketStarts.length) {
                throw new IllegalArgumentException(bucketStarts.length + " steps need " + 3 * bucketStarts.length
                        + " values, got " + values.length);
            }
            return new Steps() {
                @Override
                public int count() {
                    return bucketStarts.length;
                }

                @Override
                public long bucketStart(int step) {
                    return bucketStarts[step];
                }

                @Override
                public double p10(int step) {
                    return values[3 * step];
                }

                @Override
                public double p50(int step) {
                    return values[3 * step + 1];
                }

                @Override
                public double p90(int step) {
                    return values[3 * step + 2];
                }
            };
        }

        /** The steps of an Avro record's list. */
        static Steps of(List<ForecastStep> steps) {
            return new Steps() {
                @Override
                public int count() {
                    return steps.size();
                }

                @Override
                public long bucketStart(int step) {
                    return steps.get(step).getBucketStart().toEpochMilli();
                }

                @Override
                public double p10(int step) {
                    return steps.get(step).getP10();
                }

                @Override
                public double p50(int step) {
                    return steps.get(step).getP50();
                }

                @Override
                public double p90(int step) {
                    return steps.get(step).getP90();
                }
            };
        }
    }

    private final Serializer<Forecast> serializer;
    /** The same serializer when its hand-written encoder applies, else null. */
    private final AvroSerializer<Forecast> direct;

    private ForecastEncoder(Serializer<Forecast> serializer) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.direct = serializer instanceof AvroSerializer<Forecast> avro && avro.hasHotPath() ? avro : null;
    }

    /** An encoder writing what {@code serializer} (the {@code forecasts} topic's value serializer) writes. */
    public static ForecastEncoder over(Serializer<Forecast> serializer) {
        return new ForecastEncoder(serializer);
    }

    /** The forecast's bytes for {@code topic}, as the serializer would write {@link #record} of the same arguments. */
    public byte[] encode(String topic, String series, long lastObservedBucket, Steps steps, String modelVersion,
                         String method, long producedAt) {
        if (direct == null) {
            return serializer.serialize(topic, record(series, lastObservedBucket, steps, modelVersion, method,
                    producedAt));
        }
        return direct.write(topic, out -> HotPathEncoders.forecast(series, lastObservedBucket, steps, modelVersion,
                method, producedAt, out));
    }

    /** The Avro record of these numbers. */
    public static Forecast record(String series, long lastObservedBucket, Steps steps, String modelVersion,
                                  String method, long producedAt) {
        List<ForecastStep> list = new ArrayList<>(steps.count());
        for (int h = 0; h < steps.count(); h++) {
            list.add(new ForecastStep(Instant.ofEpochMilli(steps.bucketStart(h)), steps.p10(h), steps.p50(h),
                    steps.p90(h)));
        }
        return new Forecast(series, Instant.ofEpochMilli(lastObservedBucket), list, modelVersion, method,
                Instant.ofEpochMilli(producedAt));
    }
}
