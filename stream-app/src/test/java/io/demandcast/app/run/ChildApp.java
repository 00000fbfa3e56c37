package io.demandcast.app.run;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TEST ONLY: {@code forecaster run} in a child JVM, as an operator runs it, so that a test can kill it with SIGKILL
 * (no shutdown hook, no commit, no leaving the group) and start it again on the same state directory.
 */
final class ChildApp implements AutoCloseable {

    private static final Pattern REST = Pattern.compile("REST on http://[^:]+:(\\d+)");

    private final Path log;
    private final Process process;

    private ChildApp(Path log, Process process) {
        this.log = log;
        this.process = process;
    }

    /** Writes {@code properties} to {@code configFile} (once) and starts {@code run --config configFile}. */
    static ChildApp start(Map<String, String> properties, Path configFile, Path log) throws IOException {
        if (!Files.exists(configFile)) {
            Properties p = new Properties();
            p.putAll(properties);
            try (Writer w = Files.newBufferedWriter(configFile)) {
                p.store(w, "a child app of a test");
            }
        }
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "io.demandcast.app.cli.ForecasterCli",
                "run", "--config", configFile.toString(), "--connect-timeout", "30");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildApp(log, process);
    }

    /** What the child logged so far. */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the stream runs (fails with the log if the child dies first). */
    void awaitRunning(Duration deadline) throws InterruptedException {
        Cluster.await("the child app to run (log " + log + ")", deadline,
                () -> log().contains("stream state REBALANCING -> RUNNING") || !process.isAlive());
        if (!process.isAlive()) {
            throw new AssertionError("the child app died at start:\n" + log());
        }
    }

    /** The port its REST server bound (rest.port 0: any free one), from its log. */
    int restPort() {
        Matcher m = REST.matcher(log());
        if (!m.find()) {
            throw new AssertionError("no REST address in the child's log:\n" + log());
        }
        return Integer.parseInt(m.group(1));
    }

    /** SIGKILL: the process ends at once, with whatever it had not committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stops it as an operator's SIGTERM does (the shutdown hook closes the app). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
