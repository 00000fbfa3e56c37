package io.demandcast.app.infra;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One background server JVM that outlives the command that started it, known by the pid file in its folder.
 * A pid file alone proves nothing (pids are reused): a process is ours only if it is alive, started when the pid
 * file says, and carries this folder's marker on its command line.
 */
final class ServerProcess {

    static final String MARKER_PROPERTY = "demandcast.infra.server";
    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(1);

    /** What the pid file holds. */
    record PidRecord(long pid, Instant started, String endpoint) {
    }

    private final String displayName;
    private final Path dir;

    ServerProcess(String displayName, Path dir) {
        this.displayName = displayName;
        this.dir = dir.toAbsolutePath().normalize();
    }

    String displayName() {
        return displayName;
    }

    Path dir() {
        return dir;
    }

    Path logFile() {
        return dir.resolve("server.log");
    }

    Path pidFile() {
        return dir.resolve("server.pid");
    }

    /** A JVM option that marks the process as this folder's server. */
    String marker() {
        return "-D" + MARKER_PROPERTY + "=" + dir;
    }

    Optional<PidRecord> pidRecord() {
        Path file = pidFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new InfraException("cannot read the pid file " + file + " of the " + displayName, e);
        }
        try {
            return Optional.of(new PidRecord(Long.parseLong(properties.getProperty("pid", "")),
                    Instant.parse(properties.getProperty("started", "")), properties.getProperty("endpoint", "")));
        } catch (RuntimeException e) {
            throw new InfraException("the pid file " + file + " of the " + displayName + " is malformed (expected pid="
                    + "<number>, started=<ISO instant>, endpoint=<host:port>), got " + properties
                    + "; stop the server by hand if it runs, then delete the file", e);
        }
    }

    /** The running process this folder started, if any. */
    Optional<ProcessHandle> running() {
        return pidRecord().flatMap(record -> ProcessHandle.of(record.pid())
                .filter(ProcessHandle::isAlive)
                .filter(handle -> isOurs(handle, record)));
    }

    /** A pid file whose process is gone (or is someone else's now). */
    boolean hasStalePidFile() {
        return Files.exists(pidFile()) && running().isEmpty();
    }

    void forget() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new InfraException("cannot delete the pid file " + pidFile() + " of the " + displayName, e);
        }
    }

    private boolean isOurs(ProcessHandle handle, PidRecord record) {
        ProcessHandle.Info info = handle.info();
        Optional<Instant> started = info.startInstant();
        Optional<String> commandLine = info.commandLine();
        if (started.isEmpty() && commandLine.isEmpty()) {
            return false; // not even readable: certainly not a process we started
        }
        boolean sameStart = started.map(s -> Duration.between(s, record.started()).abs()
                .compareTo(START_TIME_TOLERANCE) <= 0).orElse(true);
        boolean marked = commandLine.map(c -> c.contains(marker())).orElse(true);
        return sameStart && marked;
    }

    /** Starts the command in the background with its output in {@link #logFile()}, and writes the pid file. */
    ProcessHandle start(List<String> command, String endpoint) {
        if (command.stream().noneMatch(marker()::equals)) {
            throw new IllegalArgumentException("the command of the " + displayName + " lacks its marker " + marker());
        }
        Process process;
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile().toFile()))
                    .start();
        } catch (IOException e) {
            throw new InfraException("cannot start the " + displayName + " (" + command.get(0) + "): " + e.getMessage(),
                    e);
        }
        ProcessHandle handle = process.toHandle();
        Instant started = handle.info().startInstant().orElseGet(Instant::now);
        Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(handle.pid()));
        properties.setProperty("started", started.toString());
        properties.setProperty("endpoint", endpoint);
        try {
            Path tmp = dir.resolve("server.pid.tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                properties.store(out, displayName + " started by `forecaster infra up`");
            }
            Files.move(tmp, pidFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            handle.destroyForcibly();
            throw new InfraException("cannot write the pid file " + pidFile() + " of the " + displayName, e);
        }
        return handle;
    }

    /**
     * Asks the process to stop (SIGTERM: Kafka shuts down cleanly on it), kills it after {@code grace}, and removes
     * the pid file. Returns the pid it stopped.
     */
    static long stop(ProcessHandle handle, Duration grace) {
        handle.destroy();
        if (!awaitExit(handle, grace)) {
            handle.destroyForcibly();
            if (!awaitExit(handle, Duration.ofSeconds(10))) {
                throw new InfraException("process " + handle.pid() + " did not exit after SIGKILL");
            }
        }
        return handle.pid();
    }

    private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfraException("interrupted while waiting for process " + handle.pid() + " to exit", e);
        } catch (ExecutionException e) {
            throw new InfraException("waiting for process " + handle.pid() + " to exit failed", e.getCause());
        }
    }

    /** The last lines of the log, for error messages. */
    String logTail(int lines) {
        return tail(logFile(), lines);
    }

    static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "(no log file " + file + ")";
        }
        Deque<String> last = new ArrayDeque<>(lines);
        // An InputStreamReader replaces malformed bytes instead of failing on them: a log may hold anything.
        try (var reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            reader.lines().forEach(line -> {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(line);
            });
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
        return String.join(System.lineSeparator(), last);
    }
}
