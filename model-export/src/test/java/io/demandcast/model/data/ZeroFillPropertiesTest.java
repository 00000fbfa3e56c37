package io.demandcast.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.time.LocalDate;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ZeroFillPropertiesTest {

    /** Rows as (day offset, units); the history has one bucket per day from the first to the last row. */
    @Property(tries = 200)
    void everyDayBetweenFirstAndLastRowIsOneBucketHoldingTheSumOfItsRows(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 60) Integer> days,
            @ForAll @Size(min = 40, max = 40) List<@IntRange(min = 0, max = 1000) Integer> units) throws IOException {
        StringBuilder csv = new StringBuilder("sku,date,units\n");
        double[] expected = new double[61];
        LocalDate base = LocalDate.of(2011, 2, 27);
        for (int i = 0; i < days.size(); i++) {
            csv.append("P,").append(base.plusDays(days.get(i))).append(',').append(units.get(i)).append('\n');
            expected[days.get(i)] += units.get(i);
        }
        int first = days.stream().mapToInt(Integer::intValue).min().orElseThrow();
        int last = days.stream().mapToInt(Integer::intValue).max().orElseThrow();

        SeriesHistory h = new SalesCsvReader(new SalesCsvSpec("sku", "date", "units", List.of(), Bucket.DAY))
                .read(new BufferedReader(new StringReader(csv.toString())), "p.csv").get(0);

        assertThat(h.start()).isEqualTo(Bucket.DAY.floor(base.plusDays(first)));
        assertThat(h.length()).isEqualTo(last - first + 1);
        for (int d = first; d <= last; d++) {
            assertThat(h.units()[d - first]).isEqualTo(expected[d]);
        }
    }
}
