package io.demandcast.app.registry;

import io.demandcast.schemas.avro.ModelRelease;
import java.util.List;
import java.util.Optional;

/**
 * What the models topic holds for one model: every release (oldest created first) and the current champion.
 */
public record Releases(String modelName, List<ModelRelease> all, Optional<ModelRelease> current) {

    public Releases {
        all = List.copyOf(all);
    }

    public Optional<ModelRelease> version(String version) {
        return all.stream().filter(r -> r.getVersion().equals(version)).findFirst();
    }

    public boolean isCurrent(ModelRelease release) {
        return current.map(c -> c.getVersion().equals(release.getVersion())).orElse(false);
    }
}
