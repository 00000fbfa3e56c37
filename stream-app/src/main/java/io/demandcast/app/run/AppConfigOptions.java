package io.demandcast.app.run;

import io.demandcast.app.cli.CommandFailure;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.config.InvalidConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options that locate the configuration, shared by {@code run}, {@code produce} and {@code tail} so that they
 * all talk to the same broker, registry and topics: a properties file, then {@code DEMANDCAST_*} environment
 * variables, then these options (each wins over the one before).
 */
public final class AppConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file of the app's configuration (keys in the README); DEMANDCAST_* "
                    + "environment variables override it.")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka's bootstrap servers (default: bootstrap.servers of the config, else 127.0.0.1:9092).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "The schema registry's Confluent-compatible API (default: schema.registry.url of the "
                    + "config, else http://127.0.0.1:8081/apis/ccompat/v7).")
    String schemaRegistryUrl;

    /** The configuration: file, environment, then these options. */
    public AppConfig load() {
        return load(System.getenv());
    }

    AppConfig load(Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        if (bootstrapServers != null) {
            env.put(AppConfig.envName("bootstrap.servers"), bootstrapServers);
        }
        if (schemaRegistryUrl != null) {
            env.put(AppConfig.envName("schema.registry.url"), schemaRegistryUrl);
        }
        if (configFile != null && !Files.isRegularFile(configFile)) {
            throw new CommandFailure("no configuration file at " + configFile.toAbsolutePath() + " (--config)");
        }
        try {
            return AppConfig.load(configFile, env);
        } catch (InvalidConfigException e) {
            throw new CommandFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandFailure("cannot read the configuration file " + configFile + ": " + e.getMessage(), e);
        }
    }
}
