package io.demandcast.app.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local Kafka broker and schema registry of one run folder: {@link #up}, {@link #status}, {@link #down}.
 * Both are background JVMs that outlive this object; their pid files in the run folder are the only link to them,
 * so any later {@code LocalInfra} on the same folder sees and stops them. Only {@link #up} needs the programs
 * ({@link InfraDistribution}); status and down work from the run folder alone, even after {@code mvn clean}.
 */
public final class LocalInfra {

    /** What {@link #status()} reports for one server. */
    public enum State { RUNNING, STOPPED, STALE_PID_FILE }

    /** One server's state; {@code pid} and {@code endpoint} are those of the pid file, when there is one. */
    public record ServerStatus(String server, State state, Optional<Long> pid, Optional<String> endpoint,
                               Path logFile) {
        public String describe() {
            String server = Character.toUpperCase(this.server.charAt(0)) + this.server.substring(1);
            return switch (state) {
                case RUNNING -> server + ": running, pid " + pid.orElseThrow() + ", " + endpoint.orElse("?")
                        + " (log " + logFile + ")";
                case STOPPED -> server + ": not running";
                case STALE_PID_FILE -> server + ": not running (stale pid file of pid " + pid.orElseThrow()
                        + "; the next up or down removes it)";
            };
        }
    }

    /** The outcome of {@link #up}: where to connect, and which servers were already running. */
    public record Started(InfraEndpoints endpoints, List<String> startedNow, List<String> alreadyRunning) {
    }

    private static final int LOG_TAIL_LINES = 40;
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(250);

    private final InfraSettings settings;
    private final KafkaBroker kafka;
    private final SchemaRegistry registry;

    public LocalInfra(InfraSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.kafka = new KafkaBroker(settings.runDir().resolve("kafka"), settings.kafkaPort(),
                settings.controllerPort());
        this.registry = new SchemaRegistry(settings.runDir().resolve("registry"), settings.registryPort());
    }

    public InfraSettings settings() {
        return settings;
    }

    /** The servers that do not run now, by display name: those {@link #up} would start. */
    public List<String> notRunning() {
        return servers().stream().filter(s -> s.process().running().isEmpty()).map(LocalServer::displayName)
                .toList();
    }

    private List<LocalServer> servers() {
        return List.of(kafka, registry);
    }

    /**
     * Starts whichever server is not running and waits until both answer (Kafka: describeCluster; the registry:
     * GET {@code /subjects}). If one fails or the deadline passes, stops what this call started and throws with the
     * server's log file and its last lines.
     */
    public Started up(InfraDistribution distribution, Duration timeout) {
        Objects.requireNonNull(distribution, "distribution");
        Instant deadline = Instant.now().plus(timeout);
        List<LocalServer> toStart = new ArrayList<>();
        List<String> alreadyRunning = new ArrayList<>();
        for (LocalServer server : servers()) {
            if (server.process().running().isPresent()) {
                alreadyRunning.add(server.displayName());
            } else {
                server.process().forget(); // a stale pid file, if any
                toStart.add(server);
            }
        }
        for (LocalServer server : toStart) {
            server.ports().forEach((port, option) -> {
                if (!Ports.isFree("127.0.0.1", port)) {
                    throw new InfraException("port " + port + " on 127.0.0.1, wanted by the " + server.displayName()
                            + ", is already in use by another process (not one started from " + settings.runDir()
                            + "); stop that process or choose another port with " + option);
                }
            });
        }
        List<ServerProcess> startedNow = new ArrayList<>();
        try {
            // The registry starts first: it is the slower one, and Kafka's storage format runs meanwhile.
            for (LocalServer server : List.of(registry, kafka)) {
                if (!toStart.contains(server)) {
                    continue;
                }
                server.prepare(distribution, Duration.between(Instant.now(), deadline));
                server.process().start(server.command(distribution), server.endpoint());
                startedNow.add(server.process());
            }
            for (LocalServer server : servers()) {
                awaitAnswer(server, deadline);
            }
        } catch (RuntimeException e) {
            for (ServerProcess process : startedNow) {
                try {
                    process.running().ifPresent(handle -> ServerProcess.stop(handle, STOP_GRACE));
                    process.forget();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        return new Started(endpoints(),
                startedNow.stream().map(ServerProcess::displayName).toList(), alreadyRunning);
    }

    private void awaitAnswer(LocalServer server, Instant deadline) {
        ServerProcess process = server.process();
        while (true) {
            if (process.running().isEmpty()) {
                throw new InfraException("the " + server.displayName() + " exited while starting; its log "
                        + process.logFile() + " ends with:\n" + process.logTail(LOG_TAIL_LINES));
            }
            if (server.answers()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new InfraException("the " + server.displayName() + " did not answer at " + server.endpoint()
                        + " before the deadline; its log " + process.logFile() + " ends with:\n"
                        + process.logTail(LOG_TAIL_LINES));
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InfraException("interrupted while waiting for the " + server.displayName(), e);
            }
        }
    }

    /** Where clients connect: the endpoints recorded by the running servers, else the configured ones. */
    public InfraEndpoints endpoints() {
        return new InfraEndpoints(recordedEndpoint(kafka), recordedEndpoint(registry));
    }

    private static String recordedEndpoint(LocalServer server) {
        return server.process().pidRecord().map(ServerProcess.PidRecord::endpoint).filter(e -> !e.isEmpty())
                .orElse(server.endpoint());
    }

    public List<ServerStatus> status() {
        return servers().stream().map(server -> {
            ServerProcess process = server.process();
            Optional<ServerProcess.PidRecord> record = process.pidRecord();
            State state = record.isEmpty() ? State.STOPPED
                    : process.running().isPresent() ? State.RUNNING : State.STALE_PID_FILE;
            return new ServerStatus(server.displayName(), state, record.map(ServerProcess.PidRecord::pid),
                    record.map(ServerProcess.PidRecord::endpoint), process.logFile());
        }).toList();
    }

    /** Whether every server runs. */
    public boolean running() {
        return status().stream().allMatch(s -> s.state() == State.RUNNING);
    }

    /**
     * Stops the servers this run folder started (SIGTERM, SIGKILL after 30 s) and removes their pid files; a process
     * whose pid was reused by someone else is left alone. Returns one line per server saying what happened.
     */
    public List<String> down() {
        return down(servers().stream().map(LocalServer::displayName).toList());
    }

    /**
     * Stops only the named servers (names as in {@link Started#startedNow()}), as {@link #down()} does: a caller
     * that found one server running and started the other stops just the one it started.
     */
    public List<String> down(Collection<String> names) {
        List<LocalServer> chosen = servers().stream().filter(s -> names.contains(s.displayName())).toList();
        List<String> report = new ArrayList<>();
        // Ask all to stop at once, then wait: Kafka's clean shutdown and Quarkus' overlap.
        List<Optional<ProcessHandle>> handles = chosen.stream().map(s -> s.process().running()).toList();
        handles.forEach(handle -> handle.ifPresent(ProcessHandle::destroy));
        for (int i = 0; i < chosen.size(); i++) {
            LocalServer server = chosen.get(i);
            Optional<ProcessHandle> handle = handles.get(i);
            if (handle.isPresent()) {
                long pid = ServerProcess.stop(handle.get(), STOP_GRACE);
                report.add("Stopped the " + server.displayName() + " (pid " + pid + ").");
            } else if (Files.exists(server.process().pidFile())) {
                report.add("The " + server.displayName() + " was not running; removed its stale pid file.");
            } else {
                report.add("The " + server.displayName() + " was not running.");
            }
            server.process().forget();
        }
        return report;
    }

    /** Deletes the data of both servers (topics, schemas, logs); refuses while either runs. */
    public void purge() {
        for (LocalServer server : servers()) {
            if (server.process().running().isPresent()) {
                throw new InfraException("the " + server.displayName() + " still runs; stop it before purging "
                        + settings.runDir());
            }
        }
        for (LocalServer server : servers()) {
            deleteRecursively(server.process().dir());
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new InfraException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
