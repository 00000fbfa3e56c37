package io.demandcast.model.data;

import io.demandcast.model.Bucket;
import java.util.List;
import java.util.Objects;

/**
 * How to read a long-format sales file: one row per series and time. Units of the rows in one bucket are summed,
 * covariates averaged.
 *
 * @param seriesColumn column naming the series (a product id, an M3 series name)
 * @param timeColumn column with the time: ISO date, ISO date-time or instant, {@code yyyy-MM-dd HH:mm:ss} or
 *     {@code yyyy-MM}
 * @param valueColumn column with the units
 * @param covariateColumns numeric columns averaged per bucket and carried forward over empty buckets
 * @param bucket the bucket the rows are aggregated into
 */
public record SalesCsvSpec(String seriesColumn, String timeColumn, String valueColumn,
                           List<String> covariateColumns, Bucket bucket) {

    public SalesCsvSpec {
        requireName(seriesColumn, "series column");
        requireName(timeColumn, "time column");
        requireName(valueColumn, "value column");
        Objects.requireNonNull(bucket, "bucket");
        covariateColumns = covariateColumns == null ? List.of() : List.copyOf(covariateColumns);
        covariateColumns.forEach(c -> requireName(c, "covariate column"));
    }

    private static void requireName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " must be a column name; got '" + name + "'");
        }
    }
}
