package io.demandcast.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables (README.md, docs/CONFIGURATION.md) are the ones the key definitions make, so that they
 * cannot drift from the code.
 */
class ConfigTableTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theReadmesAndTheReferencesTablesAreTheGeneratedOnes() throws IOException {
        for (String file : new String[] {ConfigTable.README, ConfigTable.REFERENCE}) {
            String text = Files.readString(ROOT.resolve(file));
            assertThat(text).as(file + " holds the table between its markers").contains(ConfigTable.START)
                    .contains(ConfigTable.END);
            assertThat(ConfigTable.tableIn(text))
                    .as(file + "'s configuration table differs from the key definitions (AppConfigDef); "
                            + "regenerate it from the repository's root with: " + ConfigTable.COMMAND)
                    .isEqualTo(ConfigTable.tableFor(file));
        }
    }

    @Test
    void theReadmeShowsTheKeysOfHighImportanceAndTheReferenceEveryKey() {
        String essentials = ConfigTable.essentials();
        assertThat(essentials).contains("| `bootstrap.servers` |", "| `schema.registry.url` |", "| `bucket` |",
                "| `streams.*` |").doesNotContain("| `batch.size` |", "| `retrain.margin` |");
        assertThat(ConfigTable.tableFor(ConfigTable.REFERENCE)).isEqualTo(ConfigTable.markdown());
        assertThat(ConfigTable.markdown().lines().count()).isGreaterThan(essentials.lines().count());
    }

    @Test
    void everyKeyHasARowWithItsEnvironmentVariableAndDefault() {
        String table = ConfigTable.markdown();
        for (String key : AppConfig.keys()) {
            assertThat(table).contains("| `" + key + "` | `" + AppConfig.envName(key) + "` |");
        }
        assertThat(table).contains("| `batch.size` | `DEMANDCAST_BATCH_SIZE` | int | `1024` |")
                .contains("| `max.line.quantity` | `DEMANDCAST_MAX_LINE_QUANTITY` | double | `50000` |")
                .contains("| `streams.*` | `DEMANDCAST_STREAMS_*` |");
    }

    @Test
    void regeneratingReplacesOnlyTheTextBetweenTheMarkers() {
        String readme = "# Title\n\nbefore\n\n" + ConfigTable.START + "\n| old | table |\n" + ConfigTable.END
                + "\n\nafter\n";
        String regenerated = ConfigTable.replaceIn(readme);
        assertThat(regenerated).startsWith("# Title\n\nbefore\n\n" + ConfigTable.START + "\n| key |")
                .endsWith(ConfigTable.END + "\n\nafter\n").doesNotContain("| old | table |");
        assertThat(ConfigTable.tableIn(regenerated)).isEqualTo(ConfigTable.markdown());
        assertThat(ConfigTable.replaceIn(regenerated)).as("a second run changes nothing").isEqualTo(regenerated);
    }
}
