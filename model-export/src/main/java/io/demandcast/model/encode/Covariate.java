package io.demandcast.model.encode;

import java.util.Objects;

/** A named covariate the model reads, with the way the graph scales it. */
public record Covariate(String name, CovariateScaling scaling) {

    public Covariate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scaling, "scaling");
        if (name.isBlank()) {
            throw new IllegalArgumentException("covariate name must not be blank");
        }
    }

    /** The feature name in the model card: {@code cov:<name>}. */
    public String featureName() {
        return "cov:" + name;
    }
}
