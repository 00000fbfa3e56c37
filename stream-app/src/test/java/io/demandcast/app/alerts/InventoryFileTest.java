package io.demandcast.app.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.demandcast.schemas.avro.InventoryLevel;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stock files as {@code produce --inventory} reads them. */
class InventoryFileTest {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    @Test
    void eachRowIsOneLevelAndBadValuesAreSentAsTheyAreForTheAppToRefuse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stock.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write((InventoryFile.HEADER + "\n85123A,12,30,3,0.95\n22423,-4,,7,\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        List<InventoryLevel> levels = InventoryFile.read(file, NOW);
        assertThat(levels).hasSize(2);
        assertThat(levels.get(0)).isEqualTo(new InventoryLevel("85123A", 12.0, 30.0, 3, 0.95, NOW));
        // Empty on_order is 0 and empty service_level 0.9; the negative stock goes to the app, which dead-letters it.
        assertThat(levels.get(1)).isEqualTo(new InventoryLevel("22423", -4.0, 0.0, 7, 0.9, NOW));
    }

    @Test
    void aRowThatDoesNotParseFailsWithTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("stock.csv"), InventoryFile.HEADER + "\nA,1,0,3,0.9\nB,x,0,3,0.9\n");
        assertThatThrownBy(() -> InventoryFile.read(file, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file + " line 3").hasMessageContaining("on_hand");
        Path wrong = Files.writeString(dir.resolve("wrong.csv"), "InvoiceNo,StockCode\n");
        assertThatThrownBy(() -> InventoryFile.read(wrong, NOW)).hasMessageContaining("line 1")
                .hasMessageContaining(InventoryFile.HEADER);
    }
}
