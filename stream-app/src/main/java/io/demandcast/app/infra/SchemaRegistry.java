package io.demandcast.app.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Apicurio Registry serving the Confluent Schema Registry API under {@value #CCOMPAT_PATH}. Its H2 database lives
 * in the run folder, so schema ids stay valid for the records that Kafka keeps there across down and up.
 */
final class SchemaRegistry implements LocalServer {

    static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static final String HOST = "127.0.0.1";

    private final ServerProcess process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    SchemaRegistry(Path dir, int port) {
        this.process = new ServerProcess("schema registry", dir);
        this.port = port;
    }

    @Override
    public ServerProcess process() {
        return process;
    }

    @Override
    public Map<Integer, String> ports() {
        return Map.of(port, "--registry-port");
    }

    @Override
    public String endpoint() {
        return "http://" + HOST + ":" + port + CCOMPAT_PATH;
    }

    @Override
    public void prepare(InfraDistribution distribution, Duration timeout) {
        try {
            Files.createDirectories(process.dir().resolve("db"));
        } catch (IOException e) {
            throw new InfraException("cannot create the registry's database folder in " + process.dir(), e);
        }
    }

    @Override
    public List<String> command(InfraDistribution distribution) {
        // Quarkus' management interface would default to port 9000 on all interfaces if ever enabled: pin it to
        // loopback and to a port the system reports free.
        int managementPort = Ports.ephemeral(HOST);
        return List.of(distribution.java().toString(), "-Xmx512m", "-Djava.awt.headless=true", process.marker(),
                "-Dquarkus.http.host=" + HOST,
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=" + HOST,
                "-Dquarkus.management.port=" + managementPort,
                "-Dapicurio.storage.kind=sql",
                "-Dapicurio.storage.sql.kind=h2",
                // No compaction when H2 closes: with it, a registry stopped after a demo came back, in most tries,
                // with the tables as first created and every schema gone, while the broker kept the topics whose
                // records name those schemas. Without it, every try kept them; the file only grows by what the
                // registry writes.
                "-Dapicurio.datasource.url=jdbc:h2:file:" + process.dir().resolve("db").resolve("registry")
                        + ";MAX_COMPACT_TIME=0",
                "-jar", distribution.registryRunner().toString());
    }

    @Override
    public boolean answers() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + "/subjects"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InfraException("interrupted while waiting for the schema registry at " + endpoint(), e);
        }
    }
}
