package io.demandcast.app.alerts;

import io.demandcast.schemas.avro.InventoryLevel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A stock file: CSV or gzipped CSV with the header {@code product_id,on_hand,on_order,lead_time_buckets,service_level},
 * one {@code InventoryLevel} per row. Values are read as they are: a negative stock or a service level of 2 is
 * sent, and the app dead-letters it with its reason; only a row that does not parse fails, with file and line.
 */
public final class InventoryFile {

    public static final String HEADER = "product_id,on_hand,on_order,lead_time_buckets,service_level";

    private InventoryFile() {
    }

    /** The rows of {@code file} as levels measured at {@code updatedAt}. */
    public static List<InventoryLevel> read(Path file, Instant updatedAt) throws IOException {
        List<InventoryLevel> levels = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || !header.strip().replace("\uFEFF", "").equals(HEADER)) {
                throw new IllegalArgumentException(file + " line 1: expected the header " + HEADER + ", got "
                        + (header == null ? "an empty file" : header));
            }
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != 5) {
                    throw new IllegalArgumentException(file + " line " + n + ": expected 5 columns (" + HEADER
                            + "), got " + f.length + ": " + line);
                }
                try {
                    levels.add(InventoryLevel.newBuilder()
                            .setProductId(f[0].strip())
                            .setOnHand(Double.parseDouble(f[1].strip()))
                            .setOnOrder(f[2].isBlank() ? 0.0 : Double.parseDouble(f[2].strip()))
                            .setLeadTimeBuckets(Integer.parseInt(f[3].strip()))
                            .setServiceLevel(f[4].isBlank() ? 0.9 : Double.parseDouble(f[4].strip()))
                            .setUpdatedAt(updatedAt)
                            .build());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + n + ": " + e.getMessage() + " in " + line
                            + " (expected numbers for on_hand, on_order, lead_time_buckets (an integer) and "
                            + "service_level)", e);
                }
            }
        }
        return levels;
    }
}
