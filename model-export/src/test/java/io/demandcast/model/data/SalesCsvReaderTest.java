package io.demandcast.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SalesCsvReaderTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static List<SeriesHistory> read(Path f, Bucket bucket, String... covariates) throws IOException {
        return new SalesCsvReader(new SalesCsvSpec("sku", "date", "units", List.of(covariates), bucket)).read(f);
    }

    @Test
    void daysWithoutRowsInsideASeriesAreZeroSalesWithCovariatesCarriedForward() throws IOException {
        Path f = file("s.csv", "date,sku,units,price\n2011-01-03,A,5,2.0\n2011-01-06,A,7,3.0\n2011-01-04,B,1,9\n");
        List<SeriesHistory> h = read(f, Bucket.DAY, "price");
        assertThat(h).extracting(SeriesHistory::series).containsExactly("A", "B");
        SeriesHistory a = h.get(0);
        assertThat(a.start()).isEqualTo(Instant.parse("2011-01-03T00:00:00Z"));
        assertThat(a.units()).containsExactly(5, 0, 0, 7);
        assertThat(a.covariates().get("price")).containsExactly(2.0, 2.0, 2.0, 3.0);
        assertThat(h.get(1).units()).containsExactly(1);
    }

    @Test
    void rowsInOneBucketSumUnitsAndAverageCovariates() throws IOException {
        Path f = file("s.csv", "sku,date,units,price\n"
                + "A,2011-12-09 08:26:00,3,1.0\nA,2011-12-09 12:50:00,4,2.0\nA,2011-12-10 00:00:00,1,\n"
                + "A,2011-12-11 23:59:59,2,4.0\n");
        SeriesHistory a = read(f, Bucket.DAY, "price").get(0);
        assertThat(a.units()).containsExactly(7, 1, 2);
        // An empty covariate cell is no observation: the day of row 3 carries 1.5 forward.
        assertThat(a.covariates().get("price")).containsExactly(1.5, 1.5, 4.0);
    }

    @Test
    void weeksStartOnMondaySumTheirDaysAndEmptyWeeksAreZero() throws IOException {
        Path f = file("s.csv", "sku,date,units\nA,2024-01-07,1\nA,2024-01-08,2\nA,2024-01-14,3\nA,2024-01-22,4\n");
        SeriesHistory a = read(f, Bucket.WEEK).get(0);
        assertThat(a.start()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(a.units()).containsExactly(1, 5, 0, 4);
    }

    @Test
    void instantsAndOffsetDateTimesFallIntoUtcHours() throws IOException {
        Path f = file("s.csv", "sku,date,units\nA,2024-03-01T10:15:00Z,1\nA,2024-03-01T12:30:00+01:00,2\n"
                + "A,2024-03-01T13:00:00,4\n");
        SeriesHistory a = read(f, Bucket.HOUR).get(0);
        assertThat(a.start()).isEqualTo(Instant.parse("2024-03-01T10:00:00Z"));
        assertThat(a.units()).containsExactly(1, 2, 0, 4);
    }

    @Test
    void yearMonthTimesWorkEvenInYearOne() throws IOException {
        Path f = file("m.csv", "\"series\",\"month\",\"value\"\n\"N2801\",\"0001-01\",8139\n\"N2801\",\"0001-03\",8321.6\n"
                + "\"N2801\",\"0002-01\",10\n");
        SeriesHistory s = new SalesCsvReader(new SalesCsvSpec("series", "month", "value", List.of(), Bucket.MONTH))
                .read(f).get(0);
        assertThat(s.start()).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
        assertThat(s.length()).isEqualTo(13);
        assertThat(s.units()[0]).isEqualTo(8139);
        assertThat(s.units()[1]).isZero();
        assertThat(s.units()[2]).isEqualTo(8321.6);
        assertThat(s.units()[12]).isEqualTo(10);
    }

    @Test
    void gzipIsRecognisedByItsMagicBytesNotItsName() throws IOException {
        Path gz = dir.resolve("looks-plain.csv");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("sku,date,units\nA,2011-01-01,3\nA,2011-01-02,4\n".getBytes(StandardCharsets.UTF_8));
        }
        Path plain = file("looks-zipped.csv.gz", "sku,date,units\nA,2011-01-01,3\n");
        assertThat(read(gz, Bucket.DAY).get(0).units()).containsExactly(3, 4);
        assertThat(read(plain, Bucket.DAY).get(0).units()).containsExactly(3);
    }

    @Test
    void aBadDateNamesFileLineColumnAndText() throws IOException {
        Path f = file("s.csv", "sku,date,units\nA,2011-01-01,3\nA,\"2011-13-45\",4\n");
        assertThatThrownBy(() -> read(f, Bucket.DAY))
                .isInstanceOf(SalesDataException.class)
                .hasMessageStartingWith(f + ":3: column 'date': expected a time (")
                .hasMessageEndingWith("got '2011-13-45'");
    }

    @Test
    void aNonNumericValueNamesFileLineColumnAndText() throws IOException {
        Path f = file("s.csv", "sku,date,units\nA,2011-01-01,3\nA,2011-01-02,4\nA,2011-01-03,lots\n");
        assertThatThrownBy(() -> read(f, Bucket.DAY))
                .isInstanceOf(SalesDataException.class)
                .hasMessage(f + ":4: column 'units': expected a finite number, got 'lots'");
    }

    @Test
    void aNonNumericCovariateIsAnErrorToo() throws IOException {
        Path f = file("s.csv", "sku,date,units,price\nA,2011-01-01,3,x1\n");
        assertThatThrownBy(() -> read(f, Bucket.DAY, "price"))
                .hasMessage(f + ":2: column 'price': expected a finite number or an empty cell, got 'x1'");
    }

    @Test
    void aMissingSeriesNamesFileLineAndColumn() throws IOException {
        Path f = file("s.csv", "sku,date,units\nA,2011-01-01,3\n,2011-01-02,4\n");
        assertThatThrownBy(() -> read(f, Bucket.DAY))
                .hasMessage(f + ":3: column 'sku': expected a series name, got ''");
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsNamesItsLine() throws IOException {
        Path f = file("s.csv", "sku,date,units\nA,2011-01-01,3\n\"B,\"\"x\",2011-01-01\n");
        assertThatThrownBy(() -> read(f, Bucket.DAY))
                .hasMessage(f + ":3: expected 3 fields as in the header, got 2");
    }

    @Test
    void aMissingColumnNamesTheColumnsFound() throws IOException {
        Path f = file("s.csv", "date,StockCode,units\n2011-01-01,A,3\n");
        assertThatThrownBy(() -> read(f, Bucket.DAY))
                .hasMessage(f + ": no series column 'sku'; the columns are date, StockCode, units");
    }

    @Test
    void anEmptyFileSaysSo() throws IOException {
        Path f = file("s.csv", "");
        assertThatThrownBy(() -> read(f, Bucket.DAY)).hasMessage(f + ": the file is empty; expected a header row");
    }

    @Test
    void tooFewBucketsSaysHowManyThereAreAndWhy() throws IOException {
        Path f = file("s.csv", "sku,date,units\nA,2011-01-01,3\nA,2011-01-05,1\nB,2011-01-01,3\n");
        List<SeriesHistory> h = read(f, Bucket.DAY);
        assertThatThrownBy(() -> SalesCsvReader.requireBuckets(h, 36, "holdout 28 + 7 + 1", f.toString()))
                .hasMessage(f + ": the longest series has 5 day buckets, fewer than the 36 needed (holdout 28 + 7 + 1)");
        SalesCsvReader.requireBuckets(h, 5, "enough", f.toString());
    }
}
