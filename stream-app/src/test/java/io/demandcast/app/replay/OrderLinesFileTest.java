package io.demandcast.app.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderLinesFileTest {

    private static final ZoneId LONDON = ZoneId.of("Europe/London");
    private static final String HEADER = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    @TempDir
    Path dir;

    @Test
    void consecutiveLinesOfOneInvoiceBecomeOneOrder() throws IOException {
        Path file = write("a.csv", HEADER
                + "536365,85123A,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
                + "536365,71053,6,2010-12-01 08:26:00,3.39,17850,United Kingdom\n"
                + "536366,22633,6,2010-12-01 08:28:00,1.85,,France\n");
        List<OrderEvent> orders = readAll(file);
        assertThat(orders).hasSize(2);
        OrderEvent first = orders.get(0);
        assertThat(first.getOrderId()).isEqualTo("536365");
        assertThat(first.getType()).isEqualTo(OrderType.SALE);
        assertThat(first.getLines()).extracting(l -> l.getProductId()).containsExactly("85123A", "71053");
        assertThat(first.getLines().get(1).getUnitPrice()).isEqualTo(3.39);
        assertThat(first.getCustomerId()).isEqualTo("17850");
        assertThat(orders.get(1).getCustomerId()).isNull();
        assertThat(orders.get(1).getCountry()).isEqualTo("France");
    }

    @Test
    void localShopTimeBecomesUtcAcrossSummerTime() throws IOException {
        Path file = write("t.csv", HEADER
                + "1,A,1,2011-01-10 09:00:00,1.0,,UK\n"
                + "2,A,1,2011-07-10 09:00:00,1.0,,UK\n");
        List<OrderEvent> orders = readAll(file);
        assertThat(orders.get(0).getEventTime()).isEqualTo(Instant.parse("2011-01-10T09:00:00Z"));
        assertThat(orders.get(1).getEventTime()).isEqualTo(Instant.parse("2011-07-10T08:00:00Z"));
    }

    @Test
    void cancellationInvoiceIsAReturnWithPositiveQuantities() throws IOException {
        Path file = write("c.csv", HEADER + "C536379,D,-1,2010-12-01 09:41:00,27.5,14527,United Kingdom\n");
        OrderEvent order = readAll(file).get(0);
        assertThat(order.getType()).isEqualTo(OrderType.RETURN);
        assertThat(order.getLines().get(0).getQuantity()).isEqualTo(1.0);
    }

    @Test
    void stockAdjustmentKeepsItsNegativeQuantityForValidationToRefuse() throws IOException {
        Path file = write("adj.csv", HEADER + "536589,21777,-10,2010-12-01 16:50:00,0.0,,United Kingdom\n");
        OrderEvent order = readAll(file).get(0);
        assertThat(order.getType()).isEqualTo(OrderType.SALE);
        assertThat(order.getLines().get(0).getQuantity()).isEqualTo(-10.0);
    }

    @Test
    void gzipIsRecognisedByContentNotName() throws IOException {
        Path file = dir.resolve("lines.data");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write((HEADER + "1,A,2,2011-01-10 09:00:00,1.5,,UK\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(readAll(file)).singleElement().satisfies(o -> assertThat(o.getLines()).hasSize(1));
    }

    @Test
    void badDateNamesFileAndLine() throws IOException {
        Path file = write("bad.csv", HEADER
                + "1,A,2,2011-01-10 09:00:00,1.5,,UK\n"
                + "2,A,2,10/01/2011,1.5,,UK\n");
        assertThatThrownBy(() -> readAll(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.csv")
                .hasMessageContaining("line 3")
                .hasMessageContaining("10/01/2011");
    }

    @Test
    void nonNumericQuantityNamesLineAndColumn() throws IOException {
        Path file = write("q.csv", HEADER + "1,A,two,2011-01-10 09:00:00,1.5,,UK\n");
        assertThatThrownBy(() -> readAll(file))
                .hasMessageContaining("line 2")
                .hasMessageContaining("Quantity 'two'");
    }

    @Test
    void missingColumnNamesTheColumnsFound() throws IOException {
        Path file = write("h.csv", "InvoiceNo,StockCode,Quantity,UnitPrice\n1,A,1,1.0\n");
        assertThatThrownBy(() -> OrderLinesFile.open(file, LONDON))
                .hasMessageContaining("missing column InvoiceDate")
                .hasMessageContaining("found InvoiceNo,StockCode,Quantity,UnitPrice");
    }

    @Test
    void quotedFieldsKeepTheirCommas() {
        assertThat(OrderLinesFile.split("1,\"Bag, red\",\"a \"\"b\"\"\",3"))
                .containsExactly("1", "Bag, red", "a \"b\"", "3");
    }

    @Test
    void theShippedFileHoldsEveryInvoiceOfTheUciData() throws IOException {
        Path shipped = Path.of("..", "data", "online_retail", "order_lines.csv.gz");
        Set<String> invoices = new HashSet<>();
        long lines = 0;
        double units = 0;
        try (OrderLinesFile orders = OrderLinesFile.open(shipped, LONDON)) {
            while (orders.hasNext()) {
                OrderEvent order = orders.next();
                invoices.add(order.getOrderId());
                lines += order.getLines().size();
                for (var line : order.getLines()) {
                    units += order.getType() == OrderType.RETURN ? -line.getQuantity() : line.getQuantity();
                }
            }
        }
        // Figures from the data set's README: 541,909 rows, 25,900 invoices, sum(Quantity) = 5,176,450.
        assertThat(lines).isEqualTo(541_909);
        assertThat(invoices).hasSize(25_900);
        assertThat(units).isEqualTo(5_176_450.0);
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private static List<OrderEvent> readAll(Path file) throws IOException {
        List<OrderEvent> orders = new ArrayList<>();
        try (OrderLinesFile in = OrderLinesFile.open(file, LONDON)) {
            in.forEachRemaining(orders::add);
        }
        return orders;
    }
}
