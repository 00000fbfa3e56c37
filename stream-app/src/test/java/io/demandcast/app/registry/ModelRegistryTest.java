package io.demandcast.app.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cli.ForecasterCli;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.retrain.RegimeChange;
import io.demandcast.app.retrain.Wait;
import io.demandcast.model.SeriesHistory;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.schemas.avro.ModelRelease;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The registry on a real broker and schema registry: publish, follow, restart, roll back, large releases. */
class ModelRegistryTest {

    static {
        RegistryServer.startInBackground();
    }

    private static final KafkaBroker BROKER = KafkaBroker.shared();
    private static final RegistryServer REGISTRY = RegistryServer.shared();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path trained;
    static Path first;
    static Path second;
    static String firstVersion;
    static String secondVersion;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainTwoVersions() throws IOException {
        RegimeChange data = new RegimeChange(6, 3L);
        List<SeriesHistory> histories = data.histories(56);
        first = trained.resolve("first");
        second = trained.resolve("second");
        firstVersion = RegimeChange.trainAndExport(histories, 2, first);
        secondVersion = RegimeChange.fineTuneAndExport(first, histories, second);
    }

    private Path configFile(String topic) throws IOException {
        Path file = dir.resolve("app-" + topic + ".properties");
        Files.writeString(file, String.join("\n",
                "bootstrap.servers=" + BROKER.bootstrapServers(),
                "schema.registry.url=" + REGISTRY.url(),
                "topic.models=" + topic,
                "model.name=demand",
                "model.shared.dir=" + dir.resolve("shared"),
                "model.cache.dir=" + dir.resolve("cache")) + "\n");
        return file;
    }

    private AppConfig config(String topic) throws IOException {
        return AppConfig.load(configFile(topic), Map.of());
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ForecasterCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        assertThat(code).as("exit code of %s; stderr: %s", List.of(args), err).isZero();
        return out.toString();
    }

    @Test
    void aRestartedFollowerServesTheLatestRelease() throws Exception {
        AppConfig config = config(KafkaBroker.uniqueTopic("models"));
        try (ModelRegistry registry = ModelRegistry.of(config)) {
            registry.ensureTopic();
            registry.publish(first, Map.of("lstm.mase", 0.9));
            try (ModelSlot slot = new ModelSlot(); ModelReleaseFollower follower = ModelReleaseFollower.start(config,
                    slot)) {
                assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
                assertThat(slot.version()).isEqualTo(firstVersion);
            }
            // Published while no follower runs.
            registry.publish(second, Map.of("lstm.mase", 0.8));
        }
        try (ModelSlot slot = new ModelSlot(); ModelReleaseFollower restarted = ModelReleaseFollower.start(config,
                slot)) {
            assertThat(restarted.awaitCaughtUp(WAIT)).isTrue();
            assertThat(slot.version()).isEqualTo(secondVersion);
            assertThat(restarted.swaps()).as("only the latest release is loaded at start").isEqualTo(1);
            try (ModelHandle.Lease lease = slot.lease()) {
                assertThat(lease.forecaster().forecast(new RegimeChange(2, 5L).histories(30), 7))
                        .allSatisfy(f -> assertThat(f.isFinite()).isTrue());
            }
        }
    }

    @Test
    void aReleaseWhoseSavedModelIsCorruptIsNotServedAndThePreviousModelStays() throws Exception {
        AppConfig config = config(KafkaBroker.uniqueTopic("models"));
        // A release as a broken trainer or a damaged upload would publish it: a card, and garbage for a graph.
        Path broken = dir.resolve("broken");
        try (var files = Files.walk(first)) {
            for (Path f : files.toList()) {
                Path to = broken.resolve(first.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Files.write(broken.resolve("saved_model.pb"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var card = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                broken.resolve("model-card.json").toFile());
        json.writeValue(broken.resolve("model-card.json").toFile(), card.put("version", "broken-1"));

        try (ModelRegistry registry = ModelRegistry.of(config)) {
            registry.ensureTopic();
            registry.publish(first, Map.of("lstm.mase", 0.9));
            try (ModelSlot slot = new ModelSlot(); ModelReleaseFollower follower = ModelReleaseFollower.start(config,
                    slot)) {
                assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
                assertThat(slot.version()).isEqualTo(firstVersion);

                registry.publish(broken, Map.of("lstm.mase", 0.1));
                Wait.until("the follower to try the broken release", WAIT, () -> follower.failedLoads() >= 1,
                        () -> "failed loads " + follower.failedLoads());

                assertThat(slot.version()).isEqualTo(firstVersion);
                try (ModelHandle.Lease lease = slot.lease()) {
                    assertThat(lease.forecaster().forecast(new RegimeChange(2, 5L).histories(30), 7))
                            .allSatisfy(f -> assertThat(f.isFinite()).isTrue());
                }
            }
        }
    }

    @Test
    void promotingAnOlderReleaseMakesRunningFollowersSwapBack() throws Exception {
        String topic = KafkaBroker.uniqueTopic("models");
        AppConfig config = config(topic);
        try (ModelRegistry registry = ModelRegistry.of(config)) {
            registry.ensureTopic();
            registry.publish(first, Map.of("lstm.mase", 0.9));
            registry.publish(second, Map.of("lstm.mase", 0.8));
        }
        try (ModelSlot slot = new ModelSlot(); ModelReleaseFollower follower = ModelReleaseFollower.start(config,
                slot)) {
            assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
            assertThat(slot.version()).isEqualTo(secondVersion);

            String out = run("models", "promote", firstVersion, "--config", configFile(topic).toString());

            assertThat(out).contains(firstVersion).contains("was " + secondVersion);
            Wait.until("the follower to swap back to " + firstVersion, WAIT,
                    () -> firstVersion.equals(slot.version()), () -> "serving " + slot.version());
            ModelRelease served = follower.champion().orElseThrow().release();
            assertThat(served.getVersion()).isEqualTo(firstVersion);
            assertThat(served.getParentVersion()).as("the first release was trained from scratch").isNull();
        }
    }

    @Test
    void listMarksTheCurrentReleaseAndShowPrintsItsCardAndMetrics() throws Exception {
        String topic = KafkaBroker.uniqueTopic("models");
        try (ModelRegistry registry = ModelRegistry.of(config(topic))) {
            registry.ensureTopic();
            registry.publish(first, Map.of("lstm.mase", 0.9123));
            registry.publish(second, Map.of("lstm.mase", 0.8456, "champion.mase", 0.9123));
        }
        String config = configFile(topic).toString();

        String list = run("models", "list", "--config", config);
        String show = run("models", "show", secondVersion, "--config", config);

        assertThat(list.lines().filter(l -> l.startsWith("* lstm-"))).singleElement().asString()
                .startsWith("* " + secondVersion).contains(firstVersion).contains("0.8456");
        assertThat(list.lines().filter(l -> l.startsWith("  " + firstVersion))).singleElement().asString()
                .contains("0.9123");
        assertThat(list).contains("0.9123").contains("0.8456").contains("current champion of demand: "
                + secondVersion);
        assertThat(show).contains("parent:        " + firstVersion).contains("champion.mase")
                .contains("\"version\" : \"" + secondVersion + "\"");
    }

    @Test
    void listingAMissingTopicFailsNamingTheTopic() throws Exception {
        String topic = KafkaBroker.uniqueTopic("no-models");
        StringWriter err = new StringWriter();
        CommandLine cli = ForecasterCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("models", "list", "--config", configFile(topic).toString());

        assertThat(code).isEqualTo(ForecasterCli.EXIT_FAILURE);
        assertThat(err.toString()).contains("no topic " + topic).contains(BROKER.bootstrapServers())
                .doesNotContain("Exception");
    }

    @Test
    void aReleaseTooBigForTheTopicGoesToTheSharedFolderAndIsLoadedFromItsUri() throws Exception {
        String topic = KafkaBroker.uniqueTopic("models");
        BROKER.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "max.message.bytes", "4096"));
        AppConfig config = config(topic);
        ModelRelease release;
        try (ModelRegistry registry = ModelRegistry.of(config)) {
            release = registry.publish(first, Map.of());
        }
        assertThat(release.getSavedModelZip()).isNull();
        Path zip = Path.of(URI.create(release.getSavedModelUri()));
        assertThat(zip).startsWith(dir.resolve("shared").toAbsolutePath()).isRegularFile();
        assertThat(Files.size(zip)).isGreaterThan(4096);
        try (ModelSlot slot = new ModelSlot(); ModelReleaseFollower follower = ModelReleaseFollower.start(config,
                slot)) {
            assertThat(follower.awaitCaughtUp(WAIT)).isTrue();
            assertThat(slot.version()).isEqualTo(firstVersion);
            try (LstmModel copy = LstmModel.load(follower.champion().orElseThrow().dir())) {
                assertThat(copy.version()).isEqualTo(firstVersion);
            }
        }
    }
}
