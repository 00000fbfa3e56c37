package io.demandcast.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/** Builds the SSLContext of the registry client from the configured trust and key stores. */
final class TlsContexts {

    private TlsContexts() {
    }

    static SSLContext sslContext(SerdeConfig.Tls tls) {
        try {
            TrustManagerFactory tmf = null;
            if (tls.truststore().isPresent()) {
                KeyStore trust = load(tls.truststore().get(), tls.truststoreType(),
                        tls.truststorePassword().orElse(null), SerdeConfig.TRUSTSTORE_LOCATION);
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (tls.keystore().isPresent()) {
                String storePassword = tls.keystorePassword().orElse(null);
                KeyStore keys = load(tls.keystore().get(), tls.keystoreType(), storePassword,
                        SerdeConfig.KEYSTORE_LOCATION);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPassword = tls.keyPassword().orElse(storePassword);
                kmf.init(keys, keyPassword == null ? null : keyPassword.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot build the TLS context of the schema registry client from " + tls
                    + ": " + e);
        }
    }

    private static KeyStore load(Path file, String type, String password, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            // A wrong password shows up here as an IOException whose cause is an UnrecoverableKeyException.
            throw new ConfigException(key, file.toString(), "cannot read it as a " + type + " store: " + e.getMessage());
        }
    }
}
