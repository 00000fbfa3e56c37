package io.demandcast.app.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the local servers keep their state and which ports of 127.0.0.1 they listen on.
 *
 * @param runDir         data, logs and pid files of both servers
 * @param kafkaPort      the broker's client listener (the bootstrap servers)
 * @param controllerPort the KRaft controller listener
 * @param registryPort   the schema registry's HTTP port
 */
public record InfraSettings(Path runDir, int kafkaPort, int controllerPort, int registryPort) {

    public static final Path DEFAULT_RUN_DIR = Path.of(".demandcast");
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_CONTROLLER_PORT = 9093;
    public static final int DEFAULT_REGISTRY_PORT = 8081;

    public InfraSettings {
        Objects.requireNonNull(runDir, "runDir");
        runDir = runDir.toAbsolutePath().normalize();
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("kafka port", kafkaPort);
        ports.put("controller port", controllerPort);
        ports.put("registry port", registryPort);
        Map<Integer, String> seen = new LinkedHashMap<>();
        ports.forEach((key, port) -> {
            if (port < 1 || port > 65535) {
                throw new InfraException(key + " must be in 1..65535, got " + port);
            }
            String other = seen.putIfAbsent(port, key);
            if (other != null) {
                throw new InfraException(other + " and " + key + " must differ, both are " + port);
            }
        });
    }

    public static InfraSettings defaults() {
        return new InfraSettings(DEFAULT_RUN_DIR, DEFAULT_KAFKA_PORT, DEFAULT_CONTROLLER_PORT, DEFAULT_REGISTRY_PORT);
    }
}
