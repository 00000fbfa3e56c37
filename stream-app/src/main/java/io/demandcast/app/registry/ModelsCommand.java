package io.demandcast.app.registry;

import io.demandcast.app.cli.CommandFailure;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.config.InvalidConfigException;
import io.demandcast.app.run.Preflight;
import io.demandcast.schemas.avro.ModelRelease;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code forecaster models list|show|promote}: the releases of the model registry on the models topic. */
@Command(name = "models",
        description = "List and inspect the model releases on the models topic, and promote an earlier one again "
                + "(a rollback): every running instance swaps to it.",
        synopsisSubcommandLabel = "(list | show | promote | publish)",
        subcommands = {ModelsCommand.ListReleases.class, ModelsCommand.Show.class, ModelsCommand.Promote.class,
                ModelsCommand.Publish.class})
public final class ModelsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: list, show, promote or publish.");
    }

    /** Where the registry is: the app's configuration (file, DEMANDCAST_* environment), then these options. */
    static final class Connection {
        @Option(names = "--config", paramLabel = "FILE",
                description = "Properties file of the app's configuration; DEMANDCAST_* environment variables "
                        + "override it.")
        Path configFile;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
                description = "Kafka's bootstrap servers (default: bootstrap.servers of the config, else "
                        + "127.0.0.1:9092).")
        String bootstrapServers;

        @Option(names = "--schema-registry-url", paramLabel = "URL",
                description = "The schema registry's Confluent-compatible API (default: schema.registry.url of the "
                        + "config, else http://127.0.0.1:8081/apis/ccompat/v7).")
        String schemaRegistryUrl;

        @Option(names = "--model-name", paramLabel = "NAME",
                description = "The model (default: model.name of the config, else default).")
        String modelName;

        private AppConfig loaded;

        /** The configuration, read and checked against the broker and the registry once. */
        AppConfig config() {
            if (loaded != null) {
                return loaded;
            }
            Map<String, String> env = new HashMap<>(System.getenv());
            put(env, "bootstrap.servers", bootstrapServers);
            put(env, "schema.registry.url", schemaRegistryUrl);
            put(env, "model.name", modelName);
            if (configFile != null && !Files.isRegularFile(configFile)) {
                throw new CommandFailure("no configuration file at " + configFile.toAbsolutePath() + " (--config)");
            }
            AppConfig config;
            try {
                config = AppConfig.load(configFile, env);
            } catch (InvalidConfigException e) {
                throw new CommandFailure(e.getMessage(), e);
            } catch (IOException e) {
                throw new CommandFailure("cannot read " + configFile + ": " + e.getMessage(), e);
            }
            Preflight.checkServers(config, Preflight.COMMAND_TIMEOUT);
            loaded = config;
            return config;
        }

        private static void put(Map<String, String> env, String key, String value) {
            if (value != null) {
                env.put(AppConfig.envName(key), value);
            }
        }

        Releases releases(ModelRegistry registry) {
            try {
                return registry.releases();
            } catch (RegistryException | org.apache.kafka.common.KafkaException e) {
                throw new CommandFailure(e.getMessage() + Preflight.accessHint(config(), e), e);
            }
        }
    }

    @Command(name = "list", description = "Every release of the model, oldest first; * marks the current one.")
    static final class ListReleases implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Connection connection;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ModelRegistry registry = ModelRegistry.of(connection.config())) {
                Releases releases = connection.releases(registry);
                if (releases.all().isEmpty()) {
                    out.println("No release of model " + releases.modelName() + " on " + registry.topic().name()
                            + ".");
                    return 0;
                }
                String format = "%-1s %-32s %-32s %-20s %8s  %-20s%n";
                out.printf(format, "", "VERSION", "PARENT", "CREATED", "MASE", "PROMOTED AT");
                for (ModelRelease r : releases.all()) {
                    out.printf(format, releases.isCurrent(r) ? "*" : "", r.getVersion(),
                            r.getParentVersion() == null ? "-" : r.getParentVersion(), time(r.getCreated()),
                            mase(r), time(r.getPromotedAt()));
                }
                out.println("* current champion of " + releases.modelName() + ": "
                        + releases.current().map(ModelRelease::getVersion).orElse("none"));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One release: its provenance, holdout metrics and model card.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "VERSION", description = "The release's version (see `models list`).")
        String version;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ModelRegistry registry = ModelRegistry.of(connection.config())) {
                Releases releases = connection.releases(registry);
                ModelRelease r = releases.version(version).orElseThrow(() -> new CommandFailure("no release "
                        + version + " of model " + releases.modelName() + " on " + registry.topic().name()
                        + "; releases: " + releases.all().stream().map(ModelRelease::getVersion).toList()));
                out.println("version:       " + r.getVersion() + (releases.isCurrent(r) ? " (current)" : ""));
                out.println("model:         " + r.getModelName());
                out.println("parent:        " + (r.getParentVersion() == null ? "- (trained from scratch)"
                        : r.getParentVersion()));
                out.println("created:       " + r.getCreated());
                out.println("promoted at:   " + r.getPromotedAt());
                out.println("training:      " + r.getTrainingFrom() + " .. " + r.getTrainingTo());
                out.println("saved model:   " + (r.getSavedModelZip() != null
                        ? "in the record (" + r.getSavedModelZip().remaining() + " bytes zipped)"
                        : r.getSavedModelUri()));
                out.println("metrics:");
                r.getMetrics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .forEach(e -> out.printf("  %-22s %s%n", e.getKey(), e.getValue()));
                out.println("model card:");
                out.println(r.getModelCardJson());
            }
            return 0;
        }
    }

    @Command(name = "promote", description = "Make an earlier release the champion again (a rollback); every "
            + "running instance swaps to it.")
    static final class Promote implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "VERSION", description = "The release's version (see `models list`).")
        String version;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ModelRegistry registry = ModelRegistry.of(connection.config())) {
                String before = connection.releases(registry).current().map(ModelRelease::getVersion)
                        .orElse("none");
                ModelRelease r;
                try {
                    r = registry.promote(version);
                } catch (RegistryException e) {
                    throw new CommandFailure(e.getMessage(), e);
                }
                out.println("Model " + r.getVersion() + " is the champion of " + r.getModelName() + " again (was "
                        + before + "), promoted at " + time(r.getPromotedAt()) + "; running instances swap to it.");
            }
            return 0;
        }
    }

    @Command(name = "publish", description = "Publish an exported SavedModel folder (with its model card) as a new "
            + "release and the champion; running instances swap to it. A candidate is best replayed first: "
            + "`forecaster replay --models CHAMPION,CANDIDATE`.")
    static final class Publish implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Connection connection;
        @Parameters(paramLabel = "DIR", description = "The exported model's folder (`forecaster train --out`).")
        Path dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (ModelRegistry registry = ModelRegistry.of(connection.config())) {
                registry.ensureTopic();
                ModelRelease r;
                try {
                    r = registry.publish(dir, Map.of());
                } catch (IOException e) {
                    throw new CommandFailure("cannot publish " + dir + ": " + e.getMessage(), e);
                } catch (RegistryException e) {
                    throw new CommandFailure(e.getMessage(), e);
                }
                out.println("Model " + r.getVersion() + " is the champion of " + r.getModelName() + ", published at "
                        + time(r.getPromotedAt()) + "; running instances swap to it.");
            }
            return 0;
        }
    }

    private static String mase(ModelRelease r) {
        Double m = r.getMetrics().get("lstm.mase");
        return m == null ? "-" : String.format("%.4f", m);
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
