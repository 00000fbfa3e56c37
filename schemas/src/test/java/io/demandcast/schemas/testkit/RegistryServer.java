package io.demandcast.schemas.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry (its Confluent-compatible {@code ccompat} API) run as a child process of the test JVM,
 * on 127.0.0.1 only, with in-memory storage. One registry is shared per test JVM: {@link #shared()} starts it on
 * first use and a shutdown hook destroys its process tree.
 *
 * <p>The server comes from the {@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all} artifact, unpacked
 * by Maven; its directory is the system property {@value #HOME_PROPERTY} (set by surefire). It runs on the JVM
 * of the tests ({@code java.home}). It takes about 5 s to start on an idle 2-core machine, longer under load.
 * Its output goes to {@code target/apicurio-registry-<port>.log}.
 *
 * <p>Tests share the registry, so each test should use its own topics (hence subjects).
 */
public final class RegistryServer {

    public static final String HOME_PROPERTY = "demandcast.apicurio.home";
    private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static CompletableFuture<RegistryServer> shared;

    private final Process process;
    private final String url;
    private final Path logFile;
    private final Duration startupTime;

    private RegistryServer(Process process, String url, Path logFile, Duration startupTime) {
        this.process = process;
        this.url = url;
        this.logFile = logFile;
        this.startupTime = startupTime;
    }

    /** The registry of this test JVM, started on first call (or by {@link #startInBackground()}). */
    public static RegistryServer shared() {
        try {
            return startInBackground().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /**
     * Starts the shared registry on another thread and returns at once, so that a test class can start the
     * broker meanwhile: {@code RegistryServer.startInBackground(); KafkaBroker.shared(); RegistryServer.shared();}
     */
    public static synchronized CompletableFuture<RegistryServer> startInBackground() {
        if (shared == null) {
            shared = CompletableFuture.supplyAsync(() -> {
                RegistryServer server = start(List.of(), null);
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "registry-server-stop"));
                return server;
            });
        }
        return shared;
    }

    /**
     * A registry of the caller's own that answers only HTTP basic authentication by one of {@code users} (name to
     * password), as a secured deployment runs: Quarkus' basic authentication with embedded users, Apicurio's OIDC
     * off. Requests without credentials or with wrong ones get 401. The caller closes it with {@link #close()}.
     */
    public static RegistryServer startSecured(Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a secured registry needs at least one user");
        }
        List<String> settings = new ArrayList<>(List.of(
                "-Dquarkus.oidc.tenant-enabled=false",
                "-Dquarkus.http.auth.basic=true",
                "-Dquarkus.security.users.embedded.enabled=true",
                "-Dquarkus.security.users.embedded.plain-text=true"));
        users.forEach((user, password) -> {
            settings.add("-Dquarkus.security.users.embedded.users." + user + "=" + password);
            settings.add("-Dquarkus.security.users.embedded.roles." + user + "=sr-admin");
        });
        Map.Entry<String, String> probeUser = users.entrySet().iterator().next();
        String authorization = "Basic " + Base64.getEncoder().encodeToString(
                (probeUser.getKey() + ":" + probeUser.getValue()).getBytes(StandardCharsets.UTF_8));
        return start(settings, authorization);
    }

    /**
     * Starts a registry of its own that answers only https, with {@code certificate}'s key store, as a registry
     * behind a private certificate authority runs: a client must trust the certificate's trust store. The caller
     * closes it with {@link #close()}.
     */
    public static RegistryServer startTls(SelfSignedCertificate certificate) {
        int sslPort = FreePorts.pick(1)[0];
        List<String> settings = List.of(
                "-Dquarkus.http.ssl-port=" + sslPort,
                "-Dquarkus.http.ssl.certificate.key-store-file=" + certificate.keystore().toAbsolutePath(),
                "-Dquarkus.http.ssl.certificate.key-store-file-type=PKCS12",
                "-Dquarkus.http.ssl.certificate.key-store-password=" + certificate.keystorePassword(),
                "-Dquarkus.http.insecure-requests=disabled");
        HttpClient probe;
        try {
            probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    .sslContext(trusting(certificate)).build();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the trust store " + certificate.truststore(), e);
        }
        return start(settings, null, "https://127.0.0.1:" + sslPort + CCOMPAT_PATH, probe);
    }

    private static javax.net.ssl.SSLContext trusting(SelfSignedCertificate certificate)
            throws IOException, java.security.GeneralSecurityException {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = Files.newInputStream(certificate.truststore())) {
            trust.load(in, certificate.truststorePassword().toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Stops a registry of {@link #startSecured(Map)} or {@link #startTls}. */
    public void close() {
        stop();
    }

    /** The base URL of the Confluent-compatible API, the value of {@code schema.registry.url}. */
    public String url() {
        return url;
    }

    /** How long the registry took from launch to answering its API. */
    public Duration startupTime() {
        return startupTime;
    }

    public Path logFile() {
        return logFile;
    }

    /** Starts a registry with extra JVM settings; {@code authorization} is the header its readiness probe sends. */
    private static RegistryServer start(List<String> settings, String authorization) {
        return start(settings, authorization, null, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .build());
    }

    /**
     * Starts a registry with extra JVM settings; its API is at {@code apiUrl} (null: plain http on the port
     * picked here), which {@code probe} reaches with {@code authorization} (may be null) when it is ready.
     */
    private static RegistryServer start(List<String> settings, String authorization, String apiUrl,
                                        HttpClient probe) {
        Path runner = runnerJar(home());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        int port = FreePorts.pick(1)[0];
        Path logFile = Path.of("target", "apicurio-registry-" + port + ".log").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(java.toString(),
                "-Xmx512m", "-XX:+UseSerialGC",
                // C1 only: the registry starts faster and the tests never run it long enough to need C2.
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.enabled=false",
                "-Dquarkus.management.host=127.0.0.1",
                "-Dapicurio.storage.kind=sql",
                "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=jdbc:h2:mem:registry_" + port,
                "-Dapicurio.datasource.jdbc.initial-size=2",
                "-Dapicurio.datasource.jdbc.min-size=2"));
        command.addAll(settings);
        command.addAll(List.of("-jar", runner.toString()));
        long started = System.nanoTime();
        Process process;
        try {
            Files.createDirectories(logFile.getParent());
            process = new ProcessBuilder(command)
                    .directory(runner.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot launch the registry: " + String.join(" ", command), e);
        }
        String url = apiUrl != null ? apiUrl : "http://127.0.0.1:" + port + CCOMPAT_PATH;
        RegistryServer server = new RegistryServer(process, url, logFile, Duration.ZERO);
        try {
            awaitReady(process, url, logFile, authorization, probe);
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
        return new RegistryServer(process, url, logFile, Duration.ofNanos(System.nanoTime() - started));
    }

    private static Path home() {
        String home = System.getProperty(HOME_PROPERTY);
        Path dir = home != null ? Path.of(home) : Path.of("target", "apicurio");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("No Apicurio Registry at " + dir.toAbsolutePath() + " (system property "
                    + HOME_PROPERTY + (home == null ? " unset" : "=" + home) + "). Maven unpacks it in the"
                    + " process-test-resources phase: run the tests through Maven, or run"
                    + " `mvn -pl schemas process-test-resources` once before running them from an IDE.");
        }
        return dir;
    }

    private static Path runnerJar(Path home) {
        Path fastJar = home.resolve("quarkus-app").resolve("quarkus-run.jar");
        if (Files.isRegularFile(fastJar)) {
            return fastJar;
        }
        try (Stream<Path> files = Files.list(home)) {
            Optional<Path> legacy = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst();
            return legacy.orElseThrow(() -> new IllegalStateException("Expected quarkus-app/quarkus-run.jar or a"
                    + " *-runner.jar in the Apicurio Registry directory " + home.toAbsolutePath() + ", found neither"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + home, e);
        }
    }

    private static void awaitReady(Process process, String url, Path logFile, String authorization,
                                   HttpClient http) {
        HttpRequest.Builder probeBuilder = HttpRequest.newBuilder(URI.create(url + "/subjects"))
                .timeout(Duration.ofSeconds(5)).GET();
        if (authorization != null) {
            probeBuilder.header("Authorization", authorization);
        }
        HttpRequest probe = probeBuilder.build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String last = "no answer yet";
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The registry process exited with status " + process.exitValue()
                            + " before answering " + url + "/subjects. Last lines of " + logFile + ":\n"
                            + tail(logFile));
                }
                try {
                    HttpResponse<String> response = http.send(probe, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                    last = "HTTP " + response.statusCode() + ": " + response.body();
                } catch (IOException e) {
                    last = e.toString();
                }
                // Poll: the process gives no other sign of being ready than answering.
                process.waitFor(200, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the registry at " + url, e);
        }
        throw new IllegalStateException("The registry did not answer " + url + "/subjects within "
                + STARTUP_TIMEOUT.toSeconds() + " s (last: " + last + "). Last lines of " + logFile + ":\n"
                + tail(logFile));
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private void stop() {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                children.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
