package io.demandcast.model;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One series' observed history, gap-free: {@code units[i]} is the demand in bucket {@code bucket.plus(start, i)}.
 * Covariates are aligned by bucket and may run past the history into the future (known-future values, such as a
 * planned price or promotion): {@code covariates.get(name).length >= units.length}. A covariate shorter than
 * {@code units.length + horizon} is carried forward from its last value by the encoder.
 */
public record SeriesHistory(String series, Bucket bucket, Instant start, double[] units,
                            Map<String, double[]> covariates) {

    public SeriesHistory {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(units, "units");
        if (!bucket.floor(start).equals(start)) {
            throw new IllegalArgumentException("series " + series + ": start " + start + " is not the start of a "
                    + bucket.label() + " bucket");
        }
        Map<String, double[]> copy = new LinkedHashMap<>();
        if (covariates != null) {
            covariates.forEach((name, values) -> {
                if (values.length < units.length) {
                    throw new IllegalArgumentException("series " + series + ": covariate " + name + " has "
                            + values.length + " values for " + units.length + " buckets");
                }
                copy.put(name, values);
            });
        }
        covariates = Collections.unmodifiableMap(copy);
    }

    public static SeriesHistory of(String series, Bucket bucket, Instant start, double[] units) {
        return new SeriesHistory(series, bucket, start, units, Map.of());
    }

    public int length() {
        return units.length;
    }

    /** Start of the bucket after the last observed one: the first forecast bucket. */
    public Instant end() {
        return bucket.plus(start, units.length);
    }

    /** Start of bucket {@code i} (may be past the history, for horizon steps). */
    public Instant bucketStart(int i) {
        return bucket.plus(start, i);
    }

    /** The first {@code n} buckets, covariates kept whole (they are known ahead). */
    public SeriesHistory head(int n) {
        if (n < 0 || n > units.length) {
            throw new IllegalArgumentException("head(" + n + ") of a history of " + units.length);
        }
        return new SeriesHistory(series, bucket, start, Arrays.copyOf(units, n), covariates);
    }
}
