package io.demandcast.app.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that brought the local servers up for itself and is stopped from outside (Ctrl-C, SIGTERM) stops them
 * too: the demo, in a JVM of its own, on real servers.
 */
class InfraForCommandTest {

    @TempDir
    Path runDir;
    @TempDir
    Path out;

    @AfterEach
    void stopWhatTheTestStarted() {
        new LocalInfra(new InfraSettings(runDir, 1, 2, 3)).down();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aDemoStoppedBySigtermStopsTheServersItStarted() throws Exception {
        Path log = out.resolve("demo.log");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.demandcast.app.cli.ForecasterCli", "demo",
                "--data", Path.of("..", "data", "online_retail", "order_lines.csv.gz").toString(),
                "--run-dir", runDir.toString(), "--out", out.resolve("demo").toString(), "--kafka-port",
                "" + freePort(), "--controller-port", "" + freePort(), "--registry-port", "" + freePort())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!read(log).contains("bootstrap servers") && demo.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(new LocalInfra(new InfraSettings(runDir, 1, 2, 3)).running()).as(read(log)).isTrue();

            demo.destroy();   // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C's SIGINT
            assertThat(demo.waitFor(120, TimeUnit.SECONDS)).as(read(log)).isTrue();
        } finally {
            demo.destroyForcibly();
        }
        String output = read(log);
        assertThat(output).as("exit %d", demo.exitValue()).contains("Stopped early: stopping the");
        assertThat(new LocalInfra(new InfraSettings(runDir, 1, 2, 3)).notRunning()).as(output).hasSize(2);
        assertThat(LocalInfraTest.processesOf(runDir)).as("processes started from %s", runDir).isEmpty();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
