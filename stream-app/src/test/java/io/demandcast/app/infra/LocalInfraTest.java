package io.demandcast.app.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cli.ForecasterCli;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `forecaster infra` against the real servers: a KRaft broker and Apicurio Registry, on free ports. */
class LocalInfraTest {

    private static final String SCHEMA = """
            {"type":"record","name":"Probe","namespace":"io.demandcast.test",
             "fields":[{"name":"sku","type":"string"},{"name":"units","type":"int"}]}""";

    @TempDir
    Path runDir;

    private final List<String> cliOutput = new ArrayList<>();

    @AfterEach
    void stopWhatTheTestStarted() {
        new LocalInfra(new InfraSettings(runDir, 1, 2, 3)).down();
        assertThat(processesOf(runDir)).as("processes started from %s", runDir).isEmpty();
    }

    private int cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = ForecasterCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int exitCode = cli.execute(args);
        cliOutput.add(out.toString());
        return exitCode;
    }

    private String lastOutput() {
        return cliOutput.get(cliOutput.size() - 1);
    }

    /** Live processes carrying the marker of a server folder under {@code dir}. */
    static List<ProcessHandle> processesOf(Path dir) {
        String marker = "-D" + ServerProcess.MARKER_PROPERTY + "=" + dir.toAbsolutePath().normalize();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void upStartsABrokerAndARegistryThatServeClientsAndDownStopsThemAll() throws Exception {
        int kafkaPort = freePort();
        int controllerPort = freePort();
        int registryPort = freePort();
        String[] up = {"infra", "up", "--run-dir", runDir.toString(), "--kafka-port", "" + kafkaPort,
                "--controller-port", "" + controllerPort, "--registry-port", "" + registryPort, "--timeout", "240"};

        assertThat(cli(up)).as(lastOutput()).isZero();
        String registryUrl = "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
        assertThat(lastOutput())
                .contains("bootstrap servers:   127.0.0.1:" + kafkaPort)
                .contains("schema registry URL: " + registryUrl);

        assertThat(cli("infra", "status", "--run-dir", runDir.toString())).as(lastOutput()).isZero();
        assertThat(lastOutput()).contains("Kafka broker: running").contains("Schema registry: running");
        List<LocalInfra.ServerStatus> status = new LocalInfra(new InfraSettings(runDir, 1, 2, 3)).status();
        List<ProcessHandle> servers = status.stream()
                .map(s -> ProcessHandle.of(s.pid().orElseThrow()).orElseThrow()).toList();
        assertThat(servers).hasSize(2).allMatch(ProcessHandle::isAlive);
        assertThat(processesOf(runDir)).containsExactlyInAnyOrderElementsOf(servers);

        // The broker serves clients: a topic can be created and is then listed.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            admin.createTopics(List.of(new NewTopic("probe", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            // A broker answers a listing from its metadata cache, which can lag the creation by a moment.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("probe")
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("probe");
        }

        // The registry speaks the Confluent API: register a schema under a subject, fetch it back by its id.
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"schema\":" + jsonString(SCHEMA) + "}";
        HttpResponse<String> registered = http.send(HttpRequest.newBuilder(
                        URI.create(registryUrl + "/subjects/probe-value/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        String id = registered.body().replaceAll("\\D", "");
        assertThat(id).isNotEmpty();
        HttpResponse<String> fetched = http.send(HttpRequest.newBuilder(
                URI.create(registryUrl + "/schemas/ids/" + id + "/schema")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        assertThat(new Schema.Parser().parse(fetched.body())).isEqualTo(new Schema.Parser().parse(SCHEMA));

        // Up is idempotent: nothing new starts.
        assertThat(cli(up)).as(lastOutput()).isZero();
        assertThat(lastOutput()).contains("Already running");
        assertThat(processesOf(runDir)).containsExactlyInAnyOrderElementsOf(servers);

        assertThat(cli("infra", "down", "--run-dir", runDir.toString())).as(lastOutput()).isZero();
        assertThat(lastOutput()).contains("Stopped the Kafka broker").contains("Stopped the schema registry");
        assertThat(servers).noneMatch(ProcessHandle::isAlive);
        assertThat(processesOf(runDir)).isEmpty();
        assertThat(cli("infra", "status", "--run-dir", runDir.toString())).isEqualTo(InfraCommand.EXIT_NOT_RUNNING);
        assertThat(lastOutput()).contains("Kafka broker: not running").contains("Schema registry: not running");

        // What they hold outlives them: the topic's records name schema ids, and the next start still has both.
        assertThat(cli(up)).as(lastOutput()).isZero();
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(
                URI.create(registryUrl + "/schemas/ids/" + id + "/schema")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(new Schema.Parser().parse(again.body())).isEqualTo(new Schema.Parser().parse(SCHEMA));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).contains("probe");
        }
        assertThat(cli("infra", "down", "--run-dir", runDir.toString())).as(lastOutput()).isZero();
        assertThat(processesOf(runDir)).isEmpty();
    }

    private static String jsonString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Test
    void aPortInUseIsRefusedWithTheOptionThatChangesItAndStartsNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            int exitCode = cli("infra", "up", "--run-dir", runDir.toString(), "--kafka-port", "" + freePort(),
                    "--controller-port", "" + freePort(), "--registry-port", "" + port);

            assertThat(exitCode).isEqualTo(ForecasterCli.EXIT_FAILURE);
            assertThat(lastOutput()).contains("port " + port + " on 127.0.0.1, wanted by the schema registry, is "
                    + "already in use").contains("--registry-port");
        }
        assertThat(processesOf(runDir)).isEmpty();
        assertThat(runDir.resolve("kafka/server.pid")).doesNotExist();
        assertThat(runDir.resolve("registry/server.pid")).doesNotExist();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aServerThatFailsToStartIsReportedWithItsLogAndWhatUpStartedIsStopped() throws Exception {
        // Storage that Kafka refuses: a meta.properties without the node id it must hold.
        Path kafkaData = runDir.resolve("kafka/data");
        Files.createDirectories(kafkaData);
        Files.writeString(kafkaData.resolve("meta.properties"), "version=1\n");

        int exitCode = cli("infra", "up", "--run-dir", runDir.toString(), "--kafka-port", "" + freePort(),
                "--controller-port", "" + freePort(), "--registry-port", "" + freePort(), "--timeout", "180");

        assertThat(exitCode).as(lastOutput()).isEqualTo(ForecasterCli.EXIT_FAILURE);
        Path log = runDir.toAbsolutePath().normalize().resolve("kafka/server.log");
        assertThat(lastOutput()).contains("the Kafka broker exited while starting; its log " + log + " ends with:");
        String logTail = lastOutput().substring(lastOutput().indexOf("ends with:"));
        assertThat(logTail).as("the log tail in the message").contains(Files.readAllLines(log).get(
                Files.readAllLines(log).size() - 1));
        assertThat(processesOf(runDir)).as("the registry this up started").isEmpty();
        assertThat(runDir.resolve("registry/server.pid")).doesNotExist();
    }

    @Test
    void aPidFileOfAProcessThatIsNotOursIsStaleAndDownLeavesThatProcessAlone() throws Exception {
        // This test's own JVM, recorded with another start time: what a reused pid looks like.
        ProcessHandle self = ProcessHandle.current();
        Path registryDir = runDir.resolve("registry");
        Files.createDirectories(registryDir);
        Properties pidFile = new Properties();
        pidFile.setProperty("pid", Long.toString(self.pid()));
        pidFile.setProperty("started", Instant.now().minus(Duration.ofDays(3)).toString());
        pidFile.setProperty("endpoint", "http://127.0.0.1:1/apis/ccompat/v7");
        try (OutputStream out = Files.newOutputStream(registryDir.resolve("server.pid"))) {
            pidFile.store(out, null);
        }

        assertThat(cli("infra", "status", "--run-dir", runDir.toString())).isEqualTo(InfraCommand.EXIT_NOT_RUNNING);
        assertThat(lastOutput()).contains("Schema registry: not running (stale pid file of pid " + self.pid());

        assertThat(cli("infra", "down", "--run-dir", runDir.toString())).isZero();
        assertThat(lastOutput()).contains("The schema registry was not running; removed its stale pid file.");
        assertThat(self.isAlive()).isTrue();
        assertThat(registryDir.resolve("server.pid")).doesNotExist();
    }
}
