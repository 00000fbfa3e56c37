package io.demandcast.app.topology;

import java.nio.file.Files;
import java.nio.file.Path;

/** The development data next to the repository root (../shared/data), or {@code -Ddemandcast.shared.data=DIR}. */
final class SharedData {

    private SharedData() {
    }

    static Path dir() {
        String override = System.getProperty("demandcast.shared.data");
        if (override != null) {
            return Path.of(override);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("stream-app"))) {
            dir = dir.getParent();
        }
        return dir == null ? Path.of("../shared/data") : dir.resolve("../shared/data").normalize();
    }
}
