package io.demandcast.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.config.AppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker-compose.yml} read as the app container reads it: its environment makes a valid configuration that
 * reaches the kafka and registry services, serves REST on the published port from every interface, and starts the
 * app with no model (the fallback serves) instead of failing into a restart loop. The start runs here on the test
 * broker and registry, with only the addresses, folders and names a test must own replaced.
 */
class ComposeFileTest {

    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
    private static final Pattern VARIABLE = Pattern.compile("^ {6}([A-Z_]+): (.+)$");
    private static final Pattern PORT = Pattern.compile("^ {6}- \"127\\.0\\.0\\.1:(\\d+):(\\d+)\"$");

    /** The app service's environment and published ports ([host, container]). */
    private record AppService(Map<String, String> env, List<int[]> ports) {
    }

    @Test
    void theAppServicesEnvironmentIsAValidConfigurationThatReachesTheOtherServices() throws IOException {
        AppService app = appService();
        AppConfig config = AppConfig.from(Map.of(), app.env());
        assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(Files.readString(COMPOSE)).contains("PLAINTEXT://kafka:9092");
        assertThat(config.schemaRegistryUrl()).isEqualTo("http://registry:8080/apis/ccompat/v7");
        assertThat(config.restHost()).as("REST inside the container").isEqualTo("0.0.0.0");
        assertThat(app.ports()).anySatisfy(p -> assertThat(p[1]).isEqualTo(config.restPort()));
        assertThat(config.modelDir()).as("no model folder that an empty volume would leave empty").isNull();
        assertThat(config.streamsOverrides()).containsEntry("num.stream.threads", "2");
    }

    /** The app ignores a DEMANDCAST_ variable that names no key, so a misspelt one would be lost silently. */
    @Test
    void everyDemandcastVariableOfTheComposeFileNamesAConfigurationKey() throws IOException {
        Set<String> known = AppConfig.keys().stream().map(AppConfig::envName).collect(Collectors.toSet());
        Map<String, String> env = appService().env();
        assertThat(env.keySet()).filteredOn(name -> name.startsWith("DEMANDCAST_")).isNotEmpty()
                .allSatisfy(name -> assertThat(known.contains(name) || name.startsWith("DEMANDCAST_STREAMS_"))
                        .as("%s in %s is neither DEMANDCAST_ + a configuration key nor DEMANDCAST_STREAMS_*", name,
                                COMPOSE)
                        .isTrue());
    }

    /** The app starts only once broker and registry answer, and compose can tell a stuck app from a running one. */
    @Test
    void everyServiceHasAHealthCheckAndTheAppWaitsForTheOthersToBeHealthy() throws IOException {
        Map<String, List<String>> services = new LinkedHashMap<>();
        List<String> current = null;
        boolean inServices = false;
        for (String line : Files.readAllLines(COMPOSE)) {
            if (line.matches("^\\S.*")) {
                inServices = line.equals("services:");
                current = null;
            } else if (inServices && line.matches("^ {2}[a-z-]+:$")) {
                current = new java.util.ArrayList<>();
                services.put(line.trim().replace(":", ""), current);
            } else if (current != null) {
                current.add(line);
            }
        }
        assertThat(services).containsKeys("kafka", "registry", "app");
        services.forEach((name, lines) -> assertThat(lines).as("service %s", name).contains("    healthcheck:"));
        String app = String.join("\n", services.get("app"));
        assertThat(app).contains("      kafka:\n        condition: service_healthy")
                .contains("      registry:\n        condition: service_healthy");
        // The app's check asks the REST path that says whether the stream runs.
        assertThat(app).contains("GET /health ");
    }

    @Test
    void theAppStartsWithTheComposeSettingsAndNoModel(@TempDir Path dir) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(appService().env());
        // What a test must own: the cluster's addresses, its folders, names no other test uses, a free port.
        for (String key : List.of("bootstrap.servers", "schema.registry.url", "state.dir", "rest.port",
                "application.id", "model.cache.dir", "model.shared.dir")) {
            env.remove(AppConfig.envName(key));
        }
        Map<String, String> props = Cluster.shared().properties(dir.resolve("state"));
        props.put("model.cache.dir", dir.resolve("cache").toString());
        props.put("model.shared.dir", dir.resolve("shared").toString());
        AppConfig config = AppConfig.from(props, env);
        try (ForecasterApp started = ForecasterApp.start(config, ModelLoader.installed(config),
                Duration.ofSeconds(30))) {
            Cluster.await("the app to run", Duration.ofSeconds(90),
                    () -> started.health().state().equals("RUNNING"));
            assertThat(started.health().state()).isEqualTo("RUNNING");
        }
    }

    private static AppService appService() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        List<int[]> ports = new java.util.ArrayList<>();
        boolean inApp = false;
        for (String line : Files.readAllLines(COMPOSE)) {
            if (line.matches("^ {2}[a-z]+:$")) {
                inApp = line.equals("  app:");
                continue;
            }
            if (!inApp) {
                continue;
            }
            Matcher v = VARIABLE.matcher(line);
            if (v.matches()) {
                env.put(v.group(1), v.group(2).trim());
            }
            Matcher p = PORT.matcher(line);
            if (p.matches()) {
                ports.add(new int[] {Integer.parseInt(p.group(1)), Integer.parseInt(p.group(2))});
            }
        }
        assertThat(env).as("the app service's environment in " + COMPOSE).isNotEmpty();
        return new AppService(env, ports);
    }
}
