package io.demandcast.app.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCachePruneTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final long MINUTE = 60_000L;

    @TempDir
    Path cache;

    @Test
    void keepsTheModelInServiceAndTheNewestOthersAndDropsOldLeftovers() throws IOException {
        String sep = ModelRegistry.VERSION_SEPARATOR;
        // v1 is in service (a swap back to an old release) and the oldest folder.
        Path inService = folder("demand" + sep + "v1", NOW - 500 * MINUTE);
        for (int v = 2; v <= 5; v++) {
            folder("demand" + sep + "v" + v, NOW - (100 - v) * MINUTE);
        }
        folder("other" + sep + "v9", NOW - 900 * MINUTE);
        folder(".unzip-old", NOW - 61 * MINUTE);
        folder(".unzip-fresh", NOW - 5 * MINUTE);
        folder(".candidate-old", NOW - 120 * MINUTE);

        ModelReleaseFollower.pruneCache(cache, "demand", inService, 2, NOW);

        try (Stream<Path> left = Files.list(cache)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("demand" + sep + "v1", "demand" + sep + "v5", "demand" + sep + "v4",
                            "other" + sep + "v9", ".unzip-fresh");
        }
        assertThat(inService.resolve("saved_model.pb")).exists();
    }

    private Path folder(String name, long modified) throws IOException {
        Path dir = Files.createDirectories(cache.resolve(name));
        Files.writeString(dir.resolve("saved_model.pb"), name);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(modified));
        return dir;
    }
}
