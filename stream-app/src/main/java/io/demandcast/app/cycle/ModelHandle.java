package io.demandcast.app.cycle;

import io.demandcast.model.Forecaster;

/**
 * Where the forecast cycle gets its model. A cycle leases the current model, runs all its batches on it and
 * closes the lease; a model swapped out meanwhile stays usable until its last lease is closed (see
 * {@link ModelSlot}). This is the seam for the model runtime and hot swap.
 */
public interface ModelHandle {

    /** The current model for one cycle; never null, but its forecaster is null when no model is loaded. */
    Lease lease();

    /** One cycle's hold on a model. */
    interface Lease extends AutoCloseable {

        /** The model, or null when none is loaded (the cycle then falls back for every series). */
        Forecaster forecaster();

        /** The version written in the forecasts the model makes. */
        String version();

        @Override
        void close();
    }

    /** A handle with no model: every forecast is a fallback. */
    static ModelHandle none() {
        return () -> NO_MODEL;
    }

    Lease NO_MODEL = new Lease() {
        @Override
        public Forecaster forecaster() {
            return null;
        }

        @Override
        public String version() {
            return "none";
        }

        @Override
        public void close() {
            // Nothing is held.
        }
    };
}
