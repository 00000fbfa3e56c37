package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first week of the real Online Retail order log, replayed: each closed day's units and order count per
 * product equal the dataset's own daily sums (daily_units_sparse.csv.gz, built independently from the same rows).
 */
class OnlineRetailReplayTest {

    private static final Path DATA = SharedData.dir().resolve("online_retail");
    private static final String UNTIL = "2010-12-08";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path state;

    private static BufferedReader gz(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8));
    }

    /** Invoices before {@link #UNTIL}, sales only (the daily sums leave out cancellations and adjustments). */
    private static List<OrderEvent> firstWeekOfSales() throws IOException {
        List<OrderEvent> orders = new ArrayList<>();
        try (BufferedReader r = gz(DATA.resolve("order_lines.csv.gz"))) {
            r.readLine();
            String current = null;
            Instant time = null;
            List<OrderLine> lines = new ArrayList<>();
            for (String row; (row = r.readLine()) != null; ) {
                String[] f = row.split(",", -1);
                if (f[3].compareTo(UNTIL) >= 0) {
                    break;
                }
                if (!f[0].equals(current)) {
                    if (current != null && !lines.isEmpty()) {
                        orders.add(new OrderEvent(current, time, null, null, null, OrderType.SALE, lines));
                    }
                    current = f[0];
                    time = LocalDateTime.parse(f[3], TIME).toInstant(ZoneOffset.UTC);
                    lines = new ArrayList<>();
                }
                double quantity = Double.parseDouble(f[2]);
                if (!f[0].startsWith("C") && quantity > 0) {
                    lines.add(new OrderLine(f[1], quantity, Double.parseDouble(f[4])));
                }
            }
            if (current != null && !lines.isEmpty()) {
                orders.add(new OrderEvent(current, time, null, null, null, OrderType.SALE, lines));
            }
        }
        return orders;
    }

    /** "date,StockCode" -> {units, invoices} for the days before {@link #UNTIL}. */
    private static Map<String, double[]> dailySums() throws IOException {
        Map<String, double[]> out = new HashMap<>();
        try (BufferedReader r = gz(DATA.resolve("daily_units_sparse.csv.gz"))) {
            r.readLine();
            for (String row; (row = r.readLine()) != null; ) {
                String[] f = row.split(",", -1);
                if (f[0].compareTo(UNTIL) < 0) {
                    out.put(f[0] + "," + f[1], new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[4])});
                }
            }
        }
        return out;
    }

    @Test
    void dailyActualsOfTheFirstWeekEqualTheDatasetsDailySums() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "the shared Online Retail data is not at " + DATA
                + " (../shared/data next to the repository, or -Ddemandcast.shared.data=DIR); skipping");
        List<OrderEvent> orders = firstWeekOfSales();
        Map<String, double[]> expected = dailySums();
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none())) {
            orders.forEach(p::send);
            List<SalesBucket> actuals = p.actuals();
            Instant lastEvent = orders.get(orders.size() - 1).getEventTime();
            String lastClosedDay = lastEvent.minusSeconds(86_400 + 3_600).toString().substring(0, 10);

            Map<String, double[]> sold = new HashMap<>();
            for (SalesBucket b : actuals) {
                if (!b.getZeroFilled()) {
                    sold.put(b.getBucketStart().toString().substring(0, 10) + "," + b.getSeries(),
                            new double[] {b.getUnits(), b.getOrderCount()});
                }
            }
            Map<String, double[]> expectedClosed = new HashMap<>(expected);
            expectedClosed.keySet().removeIf(k -> k.substring(0, 10).compareTo(lastClosedDay) > 0);

            assertThat(sold.keySet()).containsExactlyInAnyOrderElementsOf(expectedClosed.keySet());
            expectedClosed.forEach((k, v) -> assertThat(sold.get(k)).as(k).containsExactly(v));
            assertThat(p.deadLetters()).isEmpty();
            assertThat(p.forecasts()).hasSameSizeAs(actuals);
        }
    }
}
