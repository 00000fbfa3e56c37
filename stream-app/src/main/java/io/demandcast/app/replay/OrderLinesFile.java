package io.demandcast.app.replay;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Reads an Online Retail style order-lines file (CSV or gzipped CSV with the columns InvoiceNo, StockCode,
 * Quantity, InvoiceDate, UnitPrice, CustomerID, Country, in any order) as OrderEvents: consecutive lines of one
 * invoice become one order.
 *
 * <p>Policy: an invoice whose number starts with {@code C} is a cancellation and becomes a RETURN with the
 * quantities made positive. Any other line is passed on as it is, negative stock adjustments included: the
 * stream's validation sends those to the dead-letter topic with its reason, so nothing is dropped unseen.
 * Invoice times are local shop time ({@code zone}, Europe/London for the UCI data) and become UTC instants.
 */
public final class OrderLinesFile implements Iterator<OrderEvent>, Closeable {

    private static final DateTimeFormatter INVOICE_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm[:ss]",
            Locale.ROOT);
    private static final String[] REQUIRED = {"InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice"};

    private final Path file;
    private final BufferedReader reader;
    private final ZoneId zone;
    private final int invoiceCol;
    private final int productCol;
    private final int quantityCol;
    private final int dateCol;
    private final int priceCol;
    private final int customerCol;
    private final int countryCol;

    private long lineNumber = 1;
    private String[] pending;
    private OrderEvent next;

    private OrderLinesFile(Path file, BufferedReader reader, ZoneId zone) throws IOException {
        this.file = file;
        this.reader = reader;
        this.zone = zone;
        String header = reader.readLine();
        if (header == null) {
            throw new IllegalArgumentException(file + ": empty file, expected a header with "
                    + String.join(",", REQUIRED));
        }
        List<String> columns = List.of(split(stripBom(header)));
        for (String required : REQUIRED) {
            if (!columns.contains(required)) {
                throw new IllegalArgumentException(file + ": line 1: missing column " + required + "; found "
                        + String.join(",", columns));
            }
        }
        invoiceCol = columns.indexOf("InvoiceNo");
        productCol = columns.indexOf("StockCode");
        quantityCol = columns.indexOf("Quantity");
        dateCol = columns.indexOf("InvoiceDate");
        priceCol = columns.indexOf("UnitPrice");
        customerCol = columns.indexOf("CustomerID");
        countryCol = columns.indexOf("Country");
    }

    /** Opens {@code file}; gzip is recognised by its magic bytes, not by the name. */
    public static OrderLinesFile open(Path file, ZoneId zone) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such order-lines file: " + file);
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        try {
            return new OrderLinesFile(file, reader, zone);
        } catch (RuntimeException | IOException e) {
            reader.close();
            throw e;
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = readOrder();
        }
        return next != null;
    }

    @Override
    public OrderEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        OrderEvent order = next;
        next = null;
        return order;
    }

    /** Lines read so far, header included: progress for a caller that knows the file's size in lines. */
    public long linesRead() {
        return lineNumber;
    }

    private OrderEvent readOrder() {
        String[] first = pending != null ? pending : readRow();
        pending = null;
        if (first == null) {
            return null;
        }
        long firstLine = lineNumber;
        String invoice = first[invoiceCol];
        boolean cancellation = invoice.startsWith("C") || invoice.startsWith("c");
        Instant time = parseTime(first[dateCol], firstLine);
        List<OrderLine> lines = new ArrayList<>();
        String[] row = first;
        while (row != null && row[invoiceCol].equals(invoice)) {
            double quantity = parseNumber(row[quantityCol], "Quantity");
            double price = parseNumber(row[priceCol], "UnitPrice");
            lines.add(OrderLine.newBuilder()
                    .setProductId(row[productCol])
                    .setQuantity(cancellation ? Math.abs(quantity) : quantity)
                    .setUnitPrice(price)
                    .build());
            row = readRow();
        }
        pending = row;
        return OrderEvent.newBuilder()
                .setOrderId(invoice)
                .setEventTime(time)
                .setCustomerId(optional(first, customerCol))
                .setChannel("web")
                .setCountry(optional(first, countryCol))
                .setType(cancellation ? OrderType.RETURN : OrderType.SALE)
                .setLines(lines)
                .build();
    }

    private String[] readRow() {
        try {
            String line;
            do {
                line = reader.readLine();
                if (line == null) {
                    return null;
                }
                lineNumber++;
            } while (line.isBlank());
            String[] row = split(line);
            if (row.length <= Math.max(Math.max(invoiceCol, productCol), Math.max(quantityCol,
                    Math.max(dateCol, priceCol)))) {
                throw new IllegalArgumentException(file + ": line " + lineNumber + ": expected at least "
                        + REQUIRED.length + " columns, got " + row.length + ": " + line);
            }
            if (row[invoiceCol].isBlank() || row[productCol].isBlank()) {
                throw new IllegalArgumentException(file + ": line " + lineNumber
                        + ": InvoiceNo and StockCode must not be empty: " + line);
            }
            return row;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": read failed after line " + lineNumber, e);
        }
    }

    private Instant parseTime(String text, long line) {
        try {
            return LocalDateTime.parse(text.trim(), INVOICE_DATE).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(file + ": line " + line + ": InvoiceDate '" + text
                    + "' is not a date-time like 2011-12-09 12:50:00");
        }
    }

    private double parseNumber(String text, String column) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": line " + lineNumber + ": " + column + " '" + text
                    + "' is not a number");
        }
    }

    private static String optional(String[] row, int col) {
        if (col < 0 || col >= row.length || row[col].isBlank()) {
            return null;
        }
        return row[col];
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    /** Splits one CSV line; double quotes protect commas, and "" inside quotes is one quote. */
    static String[] split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields.toArray(String[]::new);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
