package io.demandcast.app.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/** A single-node KRaft Kafka ({@code kafka.Kafka}, broker and controller in one JVM) on 127.0.0.1. */
final class KafkaBroker implements LocalServer {

    private static final String HOST = "127.0.0.1";

    private final ServerProcess process;
    private final int port;
    private final int controllerPort;

    KafkaBroker(Path dir, int port, int controllerPort) {
        this.process = new ServerProcess("Kafka broker", dir);
        this.port = port;
        this.controllerPort = controllerPort;
    }

    @Override
    public ServerProcess process() {
        return process;
    }

    @Override
    public Map<Integer, String> ports() {
        Map<Integer, String> ports = new LinkedHashMap<>();
        ports.put(port, "--kafka-port");
        ports.put(controllerPort, "--controller-port");
        return ports;
    }

    @Override
    public String endpoint() {
        return HOST + ":" + port;
    }

    private Path configFile() {
        return process.dir().resolve("server.properties");
    }

    private Path dataDir() {
        return process.dir().resolve("data");
    }

    @Override
    public void prepare(InfraDistribution distribution, Duration timeout) {
        Properties config = new Properties();
        config.setProperty("process.roles", "broker,controller");
        config.setProperty("node.id", "1");
        config.setProperty("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        config.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        config.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        config.setProperty("controller.listener.names", "CONTROLLER");
        config.setProperty("inter.broker.listener.name", "PLAINTEXT");
        config.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.setProperty("log.dirs", dataDir().toString());
        // One node: every internal topic has one replica.
        config.setProperty("offsets.topic.replication.factor", "1");
        config.setProperty("transaction.state.log.replication.factor", "1");
        config.setProperty("transaction.state.log.min.isr", "1");
        config.setProperty("share.coordinator.state.topic.replication.factor", "1");
        config.setProperty("share.coordinator.state.topic.min.isr", "1");
        // A local broker serves one developer: no reason to hold a first consumer group back.
        config.setProperty("group.initial.rebalance.delay.ms", "0");
        // Replays carry event times months or years old: the default 7-day time retention would delete a topic's
        // first segments while the app still reads them (a silent skip after offset reset). Topics that `run`
        // creates set retention.ms=-1 themselves; this covers topics created any other way on the local broker.
        config.setProperty("log.retention.ms", "-1");
        try {
            Files.createDirectories(process.dir());
            try (OutputStream out = Files.newOutputStream(configFile())) {
                config.store(out, "Written by `forecaster infra up` at every start");
            }
        } catch (IOException e) {
            throw new InfraException("cannot write the Kafka configuration " + configFile(), e);
        }
        if (!Files.exists(dataDir().resolve("meta.properties"))) {
            format(distribution, timeout);
        }
    }

    /** KRaft storage must be formatted with a cluster id once, before the first start. */
    private void format(InfraDistribution distribution, Duration timeout) {
        Path log = process.dir().resolve("format.log");
        // A short-lived tool: the C1 compiler alone starts it faster.
        List<String> command = List.of(distribution.java().toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", distribution.brokerClasspath(), "kafka.tools.StorageTool",
                "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", configFile().toString());
        try {
            Process format = new ProcessBuilder(command).directory(process.dir().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!format.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly().waitFor();
                throw new InfraException("formatting Kafka storage in " + dataDir() + " took longer than " + timeout
                        + "; its log " + log + " ends with:\n" + ServerProcess.tail(log, 30));
            }
            if (format.exitValue() != 0) {
                throw new InfraException("formatting Kafka storage in " + dataDir() + " failed with exit code "
                        + format.exitValue() + "; its log " + log + " ends with:\n" + ServerProcess.tail(log, 30));
            }
        } catch (IOException e) {
            throw new InfraException("cannot run Kafka's storage tool (" + command.get(0) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfraException("interrupted while formatting Kafka storage in " + dataDir(), e);
        }
    }

    @Override
    public List<String> command(InfraDistribution distribution) {
        return List.of(distribution.java().toString(), "-Xms256m", "-Xmx1g", "-Djava.awt.headless=true",
                process.marker(), "-cp", distribution.brokerClasspath(), "kafka.Kafka", configFile().toString());
    }

    @Override
    public boolean answers() {
        if (!Ports.accepts(HOST, port)) {
            return false; // an Admin client would only log connection warnings until the port opens
        }
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoint(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin admin = Admin.create(config)) {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                    .nodes().get(4, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfraException("interrupted while waiting for the Kafka broker at " + endpoint(), e);
        }
    }
}
