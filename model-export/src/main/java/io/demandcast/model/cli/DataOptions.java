package io.demandcast.model.cli;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.data.SalesCsvReader;
import io.demandcast.model.data.SalesCsvSpec;
import io.demandcast.model.data.SalesDataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options that say which sales file to read and how: shared by {@code train} and {@code backtest}. */
public final class DataOptions {

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Long-format CSV, optionally gzipped: one row per series and time.")
    Path data;

    @Option(names = "--series", required = true, paramLabel = "COL", description = "Column naming the series.")
    String series;

    @Option(names = "--time", required = true, paramLabel = "COL",
            description = "Time column: yyyy-MM, yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, ISO date-time or instant (UTC).")
    String time;

    @Option(names = "--value", required = true, paramLabel = "COL", description = "Units column (summed per bucket).")
    String value;

    @Option(names = "--covariates", split = ",", paramLabel = "C1,C2",
            description = "Numeric covariate columns (averaged per bucket, carried forward over empty buckets).")
    List<String> covariates = new ArrayList<>();

    @Option(names = "--bucket", required = true, paramLabel = "hour|day|week|month", converter = BucketConverter.class,
            description = "Bucket the rows are aggregated into.")
    Bucket bucket;

    /** Reads the file into gap-free histories, failing when no series has {@code needed} buckets. */
    List<SeriesHistory> read(int needed, String why) throws IOException {
        if (!Files.isRegularFile(data)) {
            throw new SalesDataException(data + ": no such file");
        }
        List<SeriesHistory> histories = new SalesCsvReader(new SalesCsvSpec(series, time, value, covariates, bucket))
                .read(data);
        SalesCsvReader.requireBuckets(histories, needed, why, data.toString());
        return histories;
    }

    static final class BucketConverter implements ITypeConverter<Bucket> {
        @Override
        public Bucket convert(String value) {
            try {
                return Bucket.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
