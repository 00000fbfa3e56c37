package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.retrain.RegimeChange;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.model.lstm.LstmTrainer;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secured cluster as teams run it: a broker that takes only SASL/PLAIN and authorises by ACLs (nothing is allowed
 * that no ACL grants), and a schema registry that answers only HTTP basic authentication. The app, {@code produce},
 * {@code tail} and {@code models} are the real command line in child JVMs, with Kafka's client logs at INFO, and
 * take their credentials from the app's config file ({@code streams.*}, {@code schema.registry.basic.auth.user.info}).
 * With the right ones the orders come out as actuals and forecasts; with a wrong one each command stops at start
 * naming the key to fix. No password, nor the registry's basic-auth header, ever reaches any of their output.
 */
class SecuredClusterTest {

    private static final String APP_USER = "forecaster";
    private static final String BROKER_ADMIN_PASSWORD = "adminPw-4e1b7c";
    private static final String BROKER_PASSWORD = "brokerPw-9d27f1";
    private static final String OUTSIDER_PASSWORD = "outsiderPw-35ce02";
    private static final String REGISTRY_PASSWORD = "registryPw-b8a44d";
    private static final String WRONG_PASSWORD = "wrongPw-0c6e93";
    private static final Path DATA = Path.of("..", "data", "online_retail", "order_lines.csv.gz").toAbsolutePath();
    private static final Pattern REST = Pattern.compile("REST on http://[^:]+:(\\d+)");
    private static final Pattern SERIES = Pattern.compile("\"key\":\"([^\"]+)\"");
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(120);

    private static KafkaBroker broker;
    private static RegistryServer registry;

    @TempDir
    Path dir;
    /** Where this test's child JVMs write their output: kept in target/ for a look after a failure. */
    private Path logDir;

    @BeforeAll
    static void startTheSecuredCluster() {
        CompletableFuture<RegistryServer> starting = CompletableFuture.supplyAsync(
                () -> RegistryServer.startSecured(Map.of(APP_USER, REGISTRY_PASSWORD)));
        broker = KafkaBroker.startSecured(BROKER_ADMIN_PASSWORD,
                Map.of(APP_USER, BROKER_PASSWORD, "outsider", OUTSIDER_PASSWORD));
        registry = starting.join();
    }

    @BeforeEach
    void keepTheOutputInTarget(TestInfo test) throws IOException {
        logDir = Files.createDirectories(Path.of("target", "secured-cluster",
                test.getTestMethod().orElseThrow().getName()).toAbsolutePath());
    }

    @AfterAll
    static void stopTheSecuredCluster() {
        if (broker != null) {
            broker.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void withTheRightCredentialsTheAppProduceTailAndModelsWorkAndNoSecretIsLogged() throws Exception {
        String prefix = KafkaBroker.uniqueTopic("secured");
        grantTheAppItsAcls(prefix);
        Path model = dir.resolve("model");
        String version = trainTiny(model);
        Path config = configFile(prefix, "app.properties", BROKER_PASSWORD, REGISTRY_PASSWORD,
                "model.dir", model.toString(), "model.cache.dir", dir.resolve("cache").toString(),
                "model.shared.dir", dir.resolve("shared").toString());
        List<Path> logs = new ArrayList<>();

        Path appLog = logDir.resolve("run.log");
        logs.add(appLog);
        Process app = child(appLog, "run", "--config", config.toString(), "--connect-timeout", "60");
        try {
            Cluster.await("the app to run on the secured cluster (log " + appLog + ")", COMMAND_LIMIT,
                    () -> read(appLog).contains("stream state REBALANCING -> RUNNING") || !app.isAlive());
            assertThat(app.isAlive()).as("the app alive; its log:\n%s", read(appLog)).isTrue();

            Ran produced = run(logs, "produce", "--config", config.toString(), "--data", DATA.toString(),
                    "--to", "2010-12-08", "--no-progress");
            assertThat(produced.exitCode()).as(produced.output()).isZero();
            assertThat(produced.output()).contains("Sent ").contains(prefix + "-orders");

            Ran actuals = run(logs, "tail", "--config", config.toString(), "--topic", "sales-actuals",
                    "--from-beginning", "--max", "5");
            assertThat(actuals.exitCode()).as(actuals.output()).isZero();
            assertThat(actuals.lines("\"topic\":\"" + prefix + "-sales-actuals\"")).hasSize(5);

            Ran forecasts = run(logs, "tail", "--config", config.toString(), "--topic", "forecasts",
                    "--from-beginning", "--max", "5");
            assertThat(forecasts.exitCode()).as(forecasts.output()).isZero();
            List<String> made = forecasts.lines("\"topic\":\"" + prefix + "-forecasts\"");
            assertThat(made).hasSize(5).allMatch(line -> line.contains(version), "made by the model " + version);

            Ran models = run(logs, "models", "list", "--config", config.toString());
            assertThat(models.exitCode()).as(models.output()).isZero();
            assertThat(models.output()).contains("* current champion of default: " + version);

            // REST needs no credentials, and so it answers reads alone.
            Matcher port = REST.matcher(read(appLog));
            assertThat(port.find()).as("the REST address in the app's log").isTrue();
            Matcher series = SERIES.matcher(made.get(0));
            assertThat(series.find()).isTrue();
            URI forecast = URI.create("http://127.0.0.1:" + port.group(1) + "/forecasts/" + series.group(1));
            HttpClient http = HttpClient.newHttpClient();
            assertThat(http.send(HttpRequest.newBuilder(forecast).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            for (String method : List.of("POST", "PUT", "DELETE")) {
                assertThat(http.send(HttpRequest.newBuilder(forecast).method(method,
                        HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as(method).isEqualTo(405);
            }
        } finally {
            app.destroy();
            app.waitFor(60, TimeUnit.SECONDS);
            app.destroyForcibly();
        }

        String appOutput = read(appLog);
        // The credentials were configured and logged, masked: by the app and by each Kafka client.
        assertThat(appOutput).contains("streams.sasl.jaas.config = ****")
                .contains("schema.registry.basic.auth.user.info = ****")
                .contains("sasl.jaas.config = [hidden]");
        assertNoSecretIn(logs);
    }

    @Test
    void aWrongBrokerPasswordStopsEveryCommandAtStartNamingTheKey() throws Exception {
        String prefix = KafkaBroker.uniqueTopic("secured");
        grantTheAppItsAcls(prefix);
        Path config = configFile(prefix, "wrong-broker.properties", WRONG_PASSWORD, REGISTRY_PASSWORD);
        List<Path> logs = new ArrayList<>();

        for (Ran ran : everyCommand(logs, config)) {
            assertThat(ran.exitCode()).as(ran.output()).isEqualTo(1);
            assertThat(ran.output()).as(ran.command())
                    .contains("the Kafka broker at " + broker.bootstrapServers() + " refused the app's credentials")
                    .contains("streams.sasl.jaas.config");
        }
        assertNoSecretIn(logs);
    }

    @Test
    void wrongRegistryCredentialsStopEveryCommandAtStartNamingTheKey() throws Exception {
        String prefix = KafkaBroker.uniqueTopic("secured");
        grantTheAppItsAcls(prefix);
        Path config = configFile(prefix, "wrong-registry.properties", BROKER_PASSWORD, WRONG_PASSWORD);
        List<Path> logs = new ArrayList<>();

        for (Ran ran : everyCommand(logs, config)) {
            assertThat(ran.exitCode()).as(ran.output()).isEqualTo(1);
            assertThat(ran.output()).as(ran.command())
                    .contains("the schema registry at " + registry.url() + " answered GET")
                    .contains("HTTP 401")
                    .contains("refused the credentials of user '" + APP_USER + "'")
                    .contains("schema.registry.basic.auth.user.info");
        }
        assertNoSecretIn(logs);
    }

    @Test
    void theBrokerRefusesAUserThatNoAclAllows() throws Exception {
        String prefix = KafkaBroker.uniqueTopic("secured");
        grantTheAppItsAcls(prefix);
        broker.createTopics(1, prefix + "-forecasts");
        Map<String, String> outsider = properties(prefix, BROKER_PASSWORD, REGISTRY_PASSWORD);
        outsider.put("streams.sasl.jaas.config", KafkaBroker.saslPlain("outsider", OUTSIDER_PASSWORD)
                .get("sasl.jaas.config"));
        Path config = write(dir.resolve("outsider.properties"), outsider);
        List<Path> logs = new ArrayList<>();

        Ran tail = run(logs, "tail", "--config", config.toString(), "--topic", "forecasts", "--from-beginning",
                "--max", "1");

        assertThat(tail.exitCode()).as(tail.output()).isEqualTo(1);
        assertThat(tail.output()).contains("Not authorized to access topics: [" + prefix + "-forecasts]")
                .contains("ACLs");
        assertNoSecretIn(logs);
    }

    /**
     * What the app's user needs, and no more: everything on its topics and on its application id's internal topics,
     * group and transactions (all under one prefix here), the model registry's transactions, and reading the
     * broker's configuration (the record timestamp limits it checks at start).
     */
    private static void grantTheAppItsAcls(String prefix) throws Exception {
        String user = "User:" + APP_USER;
        AccessControlEntry all = new AccessControlEntry(user, "*", AclOperation.ALL, AclPermissionType.ALLOW);
        List<AclBinding> acls = List.of(
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, prefix, PatternType.PREFIXED), all),
                new AclBinding(new ResourcePattern(ResourceType.GROUP, prefix, PatternType.PREFIXED), all),
                new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED), all),
                new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "demandcast-models-",
                        PatternType.PREFIXED), all),
                new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                        new AccessControlEntry(user, "*", AclOperation.DESCRIBE_CONFIGS, AclPermissionType.ALLOW)));
        try (Admin admin = Admin.create(broker.adminProperties())) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code run}, {@code produce}, {@code tail} and {@code models list} on {@code config}, each to its end. */
    private List<Ran> everyCommand(List<Path> logs, Path config) throws Exception {
        Path orders = dir.resolve("orders.csv");
        Files.writeString(orders, "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                + "1,A,2,2010-12-01 09:00:00,1.0,,UK\n");
        return List.of(
                run(logs, "run", "--config", config.toString(), "--connect-timeout", "30"),
                run(logs, "produce", "--config", config.toString(), "--data", orders.toString(), "--no-progress"),
                run(logs, "tail", "--config", config.toString(), "--topic", "forecasts", "--max", "1"),
                run(logs, "models", "list", "--config", config.toString()));
    }

    private Path configFile(String prefix, String name, String brokerPassword, String registryPassword,
                            String... keyValues) throws IOException {
        Map<String, String> props = properties(prefix, brokerPassword, registryPassword);
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return write(dir.resolve(name), props);
    }

    /** The app's configuration on the secured cluster: names under {@code prefix}, the app user's credentials. */
    private Map<String, String> properties(String prefix, String brokerPassword, String registryPassword) {
        Map<String, String> props = new HashMap<>();
        props.put("application.id", prefix + "-app");
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("schema.registry.url", registry.url());
        props.put("schema.registry.basic.auth.user.info", APP_USER + ":" + registryPassword);
        KafkaBroker.saslPlain(APP_USER, brokerPassword).forEach((k, v) -> props.put("streams." + k, v));
        props.put("state.dir", dir.resolve("state-" + prefix).toString());
        props.put("rest.port", "0");
        props.put("bucket", "day");
        props.put("grace", "1 bucket");
        props.put("horizon", Integer.toString(RegimeChange.HORIZON));
        props.put("topic.partitions", "1");
        props.put("topic.replication.factor", "1");
        for (String t : List.of("orders", "orders.dlq", "inventory", "sales.actuals", "forecasts", "restock.alerts",
                "models")) {
            props.put("topic." + t, prefix + "-" + t.replace('.', '-'));
        }
        return props;
    }

    private static Path write(Path file, Map<String, String> props) throws IOException {
        Properties p = new Properties();
        p.putAll(props);
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "SecuredClusterTest");
        }
        return file;
    }

    private static void assertNoSecretIn(List<Path> logs) throws IOException {
        String basicAuth = Base64.getEncoder().encodeToString((APP_USER + ":" + REGISTRY_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        String wrongBasicAuth = Base64.getEncoder().encodeToString((APP_USER + ":" + WRONG_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        assertThat(logs).isNotEmpty();
        for (Path log : logs) {
            assertThat(Files.readString(log)).as("the output in %s", log)
                    .isNotBlank()
                    .doesNotContain(BROKER_PASSWORD, REGISTRY_PASSWORD, WRONG_PASSWORD, OUTSIDER_PASSWORD,
                            BROKER_ADMIN_PASSWORD, basicAuth, wrongBasicAuth);
        }
    }

    /** One command line run to its end in a child JVM. */
    record Ran(String command, int exitCode, String output) {
        List<String> lines(String containing) {
            return output.lines().filter(l -> l.contains(containing)).toList();
        }
    }

    private Ran run(List<Path> logs, String... args) throws Exception {
        Path log = logDir.resolve("cli-" + logs.size() + "-" + args[0] + ".log");
        logs.add(log);
        Process p = child(log, args);
        if (!p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", args) + " still running after " + COMMAND_LIMIT.toSeconds()
                    + " s; its output:\n" + read(log));
        }
        return new Ran(String.join(" ", args), p.exitValue(), read(log));
    }

    /** {@code forecaster ARGS} in a child JVM, stdout and stderr into {@code log}, Kafka's client logs at INFO. */
    private static Process child(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info",
                "-cp", System.getProperty("java.class.path"), "io.demandcast.app.cli.ForecasterCli"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** A tiny LSTM on synthetic daily sales, exported to {@code dir}: the app publishes it as the first release. */
    private static String trainTiny(Path dir) throws Exception {
        RegimeChange data = new RegimeChange(8, 1L);
        var config = RegimeChange.tinyConfig(3).withTraining(3, 64, 0.01, 3, 1L, 0);
        try (LstmModel model = new LstmTrainer(config).train(data.histories(42), null)) {
            model.export(dir);
            return model.version();
        }
    }
}
