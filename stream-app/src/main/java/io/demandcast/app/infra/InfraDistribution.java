package io.demandcast.app.infra;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The programs that run the local servers, as the build leaves them in {@code stream-app/target}:
 * {@code broker.classpath} (Kafka's server classpath, written by maven-dependency-plugin) and
 * {@code apicurio-registry/} (Apicurio Registry's distribution, unpacked by it).
 *
 * @param java            the java launcher for both servers
 * @param brokerClasspath the classpath of {@code kafka.Kafka}
 * @param registryRunner  Apicurio Registry's runner jar
 */
public record InfraDistribution(Path java, String brokerClasspath, Path registryRunner) {

    public InfraDistribution {
        Objects.requireNonNull(java, "java");
        Objects.requireNonNull(brokerClasspath, "brokerClasspath");
        Objects.requireNonNull(registryRunner, "registryRunner");
    }

    /** The distribution next to this code: the build directory holding the app's jar or its classes. */
    public static InfraDistribution fromBuild() {
        Path location;
        try {
            location = Path.of(InfraDistribution.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new InfraException("cannot locate the build directory of the app's classes", e);
        }
        // target/stream-app.jar or target/classes: either way the parent is the build directory.
        return fromBuildDirectory(location.toAbsolutePath().getParent());
    }

    public static InfraDistribution fromBuildDirectory(Path buildDir) {
        Path classpathFile = buildDir.resolve("broker.classpath");
        Path registryHome = buildDir.resolve("apicurio-registry");
        String rebuild = " is missing: build the project first (./forecaster does, or mvn -B -DskipTests package)";
        if (!Files.isRegularFile(classpathFile)) {
            throw new InfraException("the Kafka broker's classpath file " + classpathFile + rebuild);
        }
        String classpath;
        try {
            classpath = Files.readString(classpathFile).strip();
        } catch (IOException e) {
            throw new InfraException("cannot read the Kafka broker's classpath file " + classpathFile, e);
        }
        if (classpath.isEmpty()) {
            throw new InfraException("the Kafka broker's classpath file " + classpathFile + " is empty");
        }
        List<Path> runners = new ArrayList<>();
        if (Files.isDirectory(registryHome)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(registryHome, "apicurio-registry-app-*-runner.jar")) {
                jars.forEach(runners::add);
            } catch (IOException e) {
                throw new InfraException("cannot list the Apicurio Registry distribution in " + registryHome, e);
            }
        }
        if (runners.size() != 1) {
            throw new InfraException("expected one apicurio-registry-app-*-runner.jar in " + registryHome + ", found "
                    + (runners.isEmpty() ? "none; the distribution" + rebuild : runners));
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new InfraDistribution(java, classpath, runners.get(0));
    }
}
