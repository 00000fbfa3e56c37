package io.demandcast.app.cycle;

import io.demandcast.model.Forecaster;
import io.demandcast.model.TrainedModel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ModelHandle} whose model can be swapped at any time without pausing the stream: a swap takes effect
 * for the next lease, cycles that hold the old model finish on it, and the old model is closed when its last
 * lease is closed. The slot owns the models given to it.
 */
public final class ModelSlot implements ModelHandle, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSlot.class);

    private final AtomicReference<Held> current = new AtomicReference<>();

    /** Puts {@code model} in the slot; the previous model is closed once no cycle uses it. */
    public void swap(TrainedModel model) {
        swap(model, model.version(), model);
    }

    /**
     * Puts a model in the slot.
     * @param owner closed when the model leaves the slot and its last lease is closed (null: nothing to close)
     */
    public void swap(Forecaster model, String version, AutoCloseable owner) {
        Held next = new Held(Objects.requireNonNull(model, "model"), Objects.requireNonNull(version, "version"),
                owner);
        Held old = current.getAndSet(next);
        LOG.info("model {} in service{}", version, old == null ? "" : ", replacing " + old.version);
        if (old != null) {
            old.release();
        }
    }

    /** Empties the slot: cycles fall back until the next swap. */
    public void clear() {
        Held old = current.getAndSet(null);
        if (old != null) {
            old.release();
        }
    }

    /** The version in service, or null when the slot is empty. */
    public String version() {
        Held h = current.get();
        return h == null ? null : h.version;
    }

    @Override
    public Lease lease() {
        while (true) {
            Held h = current.get();
            if (h == null) {
                return NO_MODEL;
            }
            if (h.acquire()) {
                return h.new HeldLease();
            }
            // Swapped out and drained between get and acquire: read the new one.
        }
    }

    @Override
    public void close() {
        clear();
    }

    private static final class Held {
        final Forecaster model;
        final String version;
        final AutoCloseable owner;
        // The slot's own reference counts as one; the model closes when it reaches zero.
        final AtomicInteger refs = new AtomicInteger(1);

        Held(Forecaster model, String version, AutoCloseable owner) {
            this.model = model;
            this.version = version;
            this.owner = owner;
        }

        boolean acquire() {
            while (true) {
                int n = refs.get();
                if (n == 0) {
                    return false;
                }
                if (refs.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0 && owner != null) {
                try {
                    owner.close();
                    LOG.info("model {} closed", version);
                } catch (Exception e) {
                    LOG.warn("closing model {} failed", version, e);
                }
            }
        }

        final class HeldLease implements Lease {
            private boolean closed;

            @Override
            public Forecaster forecaster() {
                return model;
            }

            @Override
            public String version() {
                return version;
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    release();
                }
            }
        }
    }
}
