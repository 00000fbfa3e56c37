package io.demandcast.app.infra;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local servers a command (the demo, the bench) brings up for itself: those it found stopped are stopped again
 * when the command ends, or by a shutdown hook when the JVM is stopped first (Ctrl-C, SIGTERM), so an interrupted
 * command leaves nothing of its own running. Servers that already ran are left alone; with {@code keep}, so is
 * everything.
 */
public final class InfraForCommand implements AutoCloseable {

    private final LocalInfra infra;
    private final List<String> ours;
    private final boolean keep;
    private final PrintWriter out;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Thread hook;
    private final LocalInfra.Started started;

    private InfraForCommand(LocalInfra infra, InfraDistribution distribution, Duration timeout, boolean keep,
                            PrintWriter out) {
        this.infra = Objects.requireNonNull(infra, "infra");
        this.keep = keep;
        this.out = Objects.requireNonNull(out, "out");
        this.ours = infra.notRunning();
        this.hook = keep || ours.isEmpty() ? null : new Thread(() -> stop("Stopped early: stopping the "
                + String.join(" and ", ours) + " this command started ...", ours), "infra-stop-on-exit");
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            this.started = infra.up(distribution, timeout);
        } catch (RuntimeException e) {
            // up() stops what it started before it throws.
            settled.set(true);
            removeHook();
            throw e;
        }
    }

    /** {@link LocalInfra#up} of {@code infra}, with what it starts stopped again on {@link #close()} or exit. */
    public static InfraForCommand up(LocalInfra infra, InfraDistribution distribution, Duration timeout,
                                     boolean keep, PrintWriter out) {
        return new InfraForCommand(infra, distribution, timeout, keep, out);
    }

    public LocalInfra.Started started() {
        return started;
    }

    /** Stops what this command started (unless kept), and says so; the servers that already ran keep running. */
    @Override
    public void close() {
        removeHook();
        if (started.startedNow().isEmpty()) {
            return;
        }
        if (keep) {
            out.println("Left " + String.join(" and ", started.startedNow()) + " running (--keep-infra); stop with: "
                    + "forecaster infra down --run-dir " + infra.settings().runDir());
            out.flush();
            return;
        }
        stop("Stopping what this command started ...", started.startedNow());
    }

    private void stop(String heading, List<String> names) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        out.println(heading);
        infra.down(names).forEach(line -> out.println("  " + line));
        out.flush();
    }

    private void removeHook() {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs (or ran) already; it stops the servers once.
        }
    }
}
