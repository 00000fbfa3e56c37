package io.demandcast.schemas.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A server certificate for 127.0.0.1, made by the JDK's {@code keytool}: the server's PKCS12 key store and a PKCS12
 * trust store holding only that certificate, as a client of a server with a private certificate is given.
 *
 * @param keystore the server's key and certificate
 * @param keystorePassword its password (also the key's)
 * @param truststore the certificate alone
 * @param truststorePassword its password
 */
public record SelfSignedCertificate(Path keystore, String keystorePassword, Path truststore,
                                    String truststorePassword) {

    /** Makes both stores in {@code dir}, valid for two days, for the IP address 127.0.0.1. */
    public static SelfSignedCertificate create(Path dir) throws IOException, InterruptedException {
        SelfSignedCertificate made = new SelfSignedCertificate(dir.resolve("server.p12"), "server-pw",
                dir.resolve("trust.p12"), "trust-pw");
        Path certificate = dir.resolve("server.crt");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", made.keystore.toString(), "-storepass", made.keystorePassword);
        keytool("-exportcert", "-alias", "server", "-keystore", made.keystore.toString(), "-storepass",
                made.keystorePassword, "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", made.truststore.toString(), "-storepass",
                made.truststorePassword);
        return made;
    }

    /** The server side's TLS context (for a JDK {@code HttpsServer}). */
    public SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, keystorePassword.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, keystorePassword.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
