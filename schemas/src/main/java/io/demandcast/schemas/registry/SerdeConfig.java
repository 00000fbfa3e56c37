package io.demandcast.schemas.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the Schema Registry client and of the Avro serdes: one typed record, read once from the usual
 * Confluent-style properties by {@link #fromProperties(Map)}.
 *
 * @param registryUrl       base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:8081} for
 *                          Confluent or {@code http://127.0.0.1:8080/apis/ccompat/v7} for Apicurio
 * @param autoRegister      register the writer's schema under its subject when serializing; when false, the
 *                          schema must already be registered and its id is looked up
 * @param basicAuthUserInfo {@code user:password} sent as HTTP basic authentication, if present
 * @param tls               trust and key material for an {@code https} registry
 * @param requestTimeout    the longest one HTTP request may take
 * @param retryBackoff      the first pause between attempts when the registry is down or answers 5xx; it doubles
 * @param retryBackoffMax   the longest pause between attempts
 * @param retryMaxWait      the longest a call waits for the registry, all attempts together
 */
public record SerdeConfig(URI registryUrl, boolean autoRegister, Optional<String> basicAuthUserInfo, Tls tls,
                          Duration requestTimeout, Duration retryBackoff, Duration retryBackoffMax,
                          Duration retryMaxWait) {

    public static final String URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Confluent's other name for {@link #BASIC_AUTH_USER_INFO}, the one an app's configuration usually holds. */
    public static final String REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String RETRY_MAX_WAIT_MS = "schema.registry.retry.max.wait.ms";

    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
    static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(2);
    static final Duration DEFAULT_RETRY_MAX_WAIT = Duration.ofSeconds(30);

    /** The {@code schema.registry.*} keys this record reads; any other key with that prefix is a typo. */
    private static final Set<String> REGISTRY_KEYS = Set.of(URL, REGISTRY_BASIC_AUTH_USER_INFO, TRUSTSTORE_LOCATION,
            TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE, KEY_PASSWORD, REQUEST_TIMEOUT_MS,
            RETRY_BACKOFF_MS, RETRY_BACKOFF_MAX_MS, RETRY_MAX_WAIT_MS);
    private static final Set<String> SECRET_KEYS = Set.of(BASIC_AUTH_USER_INFO, REGISTRY_BASIC_AUTH_USER_INFO,
            TRUSTSTORE_PASSWORD,
            KEYSTORE_PASSWORD, KEY_PASSWORD);

    /**
     * Trust and key stores for TLS to the registry; all empty means the JVM's default trust.
     */
    public record Tls(Optional<Path> truststore, Optional<String> truststorePassword, String truststoreType,
                      Optional<Path> keystore, Optional<String> keystorePassword, String keystoreType,
                      Optional<String> keyPassword) {
        public Tls {
            Objects.requireNonNull(truststore, "truststore");
            Objects.requireNonNull(truststorePassword, "truststorePassword");
            Objects.requireNonNull(truststoreType, "truststoreType");
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(keystorePassword, "keystorePassword");
            Objects.requireNonNull(keystoreType, "keystoreType");
            Objects.requireNonNull(keyPassword, "keyPassword");
        }

        public static Tls none() {
            return new Tls(Optional.empty(), Optional.empty(), "PKCS12", Optional.empty(), Optional.empty(),
                    "PKCS12", Optional.empty());
        }

        public boolean configured() {
            return truststore.isPresent() || keystore.isPresent();
        }

        /**
         * The TLS context these stores make, for another HTTP client of the same registry (a start-up check).
         *
         * @throws org.apache.kafka.common.config.ConfigException naming the key when a store cannot be read
         */
        public javax.net.ssl.SSLContext sslContext() {
            return TlsContexts.sslContext(this);
        }

        @Override
        public String toString() {
            return "Tls[truststore=" + truststore.map(Path::toString).orElse("(JVM default)") + " (" + truststoreType
                    + "), keystore=" + keystore.map(Path::toString).orElse("(none)") + " (" + keystoreType + ")]";
        }
    }

    public SerdeConfig {
        Objects.requireNonNull(registryUrl, "registryUrl");
        Objects.requireNonNull(basicAuthUserInfo, "basicAuthUserInfo");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(retryBackoffMax, "retryBackoffMax");
        Objects.requireNonNull(retryMaxWait, "retryMaxWait");
    }

    /** The defaults for a registry at {@code registryUrl}: auto-registration on, no auth, no TLS material. */
    public static SerdeConfig of(String registryUrl) {
        return fromProperties(Map.of(URL, registryUrl));
    }

    public SerdeConfig withAutoRegister(boolean autoRegister) {
        return new SerdeConfig(registryUrl, autoRegister, basicAuthUserInfo, tls, requestTimeout, retryBackoff,
                retryBackoffMax, retryMaxWait);
    }

    public SerdeConfig withRetryMaxWait(Duration retryMaxWait) {
        return new SerdeConfig(registryUrl, autoRegister, basicAuthUserInfo, tls, requestTimeout, retryBackoff,
                retryBackoffMax, retryMaxWait);
    }

    /**
     * Reads and validates the settings. Keys that do not belong to the registry are ignored, so the whole
     * configuration of a Kafka client or Streams app may be passed; a misspelt {@code schema.registry.*} key is
     * refused rather than silently ignored.
     *
     * @throws ConfigException naming the key and the bad value
     */
    public static SerdeConfig fromProperties(Map<String, ?> props) {
        Objects.requireNonNull(props, "props");
        rejectUnknownRegistryKeys(props);
        URI url = registryUrl(props);
        boolean autoRegister = bool(props, AUTO_REGISTER, true);
        String source = string(props, BASIC_AUTH_SOURCE).orElse("USER_INFO");
        if (!source.equalsIgnoreCase("USER_INFO")) {
            throw new ConfigException(BASIC_AUTH_SOURCE, source,
                    "only USER_INFO is supported (credentials in " + BASIC_AUTH_USER_INFO + ")");
        }
        String userInfoKey = props.containsKey(BASIC_AUTH_USER_INFO) ? BASIC_AUTH_USER_INFO
                : REGISTRY_BASIC_AUTH_USER_INFO;
        Optional<String> userInfo = string(props, userInfoKey);
        if (userInfo.isPresent() && userInfo.get().indexOf(':') < 1) {
            throw new ConfigException(userInfoKey, "(hidden)",
                    "expected user:password with a non-empty user, got a value without a user before ':'");
        }
        Tls tls = new Tls(file(props, TRUSTSTORE_LOCATION), string(props, TRUSTSTORE_PASSWORD),
                storeType(props, TRUSTSTORE_TYPE), file(props, KEYSTORE_LOCATION), string(props, KEYSTORE_PASSWORD),
                storeType(props, KEYSTORE_TYPE), string(props, KEY_PASSWORD));
        if (tls.configured() && !url.getScheme().equals("https")) {
            throw new ConfigException(URL, url.toString(),
                    "TLS stores are configured (" + TRUSTSTORE_LOCATION + " or " + KEYSTORE_LOCATION
                            + ") but the URL is not https");
        }
        Duration requestTimeout = millis(props, REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT, 1);
        Duration backoff = millis(props, RETRY_BACKOFF_MS, DEFAULT_RETRY_BACKOFF, 1);
        Duration backoffMax = millis(props, RETRY_BACKOFF_MAX_MS, DEFAULT_RETRY_BACKOFF_MAX, 1);
        if (backoffMax.compareTo(backoff) < 0) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS, backoffMax.toMillis(),
                    "must be at least " + RETRY_BACKOFF_MS + " (" + backoff.toMillis() + ")");
        }
        Duration maxWait = millis(props, RETRY_MAX_WAIT_MS, DEFAULT_RETRY_MAX_WAIT, 0);
        return new SerdeConfig(url, autoRegister, userInfo, tls, requestTimeout, backoff, backoffMax, maxWait);
    }

    @Override
    public String toString() {
        return "SerdeConfig[registryUrl=" + registryUrl + ", autoRegister=" + autoRegister + ", basicAuth="
                + basicAuthUserInfo.map(u -> u.substring(0, u.indexOf(':')) + ":(hidden)").orElse("(none)")
                + ", tls=" + tls + ", requestTimeout=" + requestTimeout + ", retryBackoff=" + retryBackoff + ".."
                + retryBackoffMax + ", retryMaxWait=" + retryMaxWait + "]";
    }

    private static void rejectUnknownRegistryKeys(Map<String, ?> props) {
        for (String key : props.keySet()) {
            if (key.startsWith("schema.registry.") && !REGISTRY_KEYS.contains(key)) {
                throw new ConfigException(key, shown(key, props.get(key)),
                        "unknown schema registry setting; known ones are " + new TreeSet<>(REGISTRY_KEYS));
            }
        }
    }

    private static URI registryUrl(Map<String, ?> props) {
        String raw = string(props, URL).orElseThrow(
                () -> new ConfigException(URL, null, "is required: the base URL of the schema registry"));
        if (raw.contains(",")) {
            throw new ConfigException(URL, raw, "expected one URL; lists of registries are not supported");
        }
        URI uri;
        try {
            uri = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
        } catch (URISyntaxException e) {
            throw new ConfigException(URL, raw, "not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(URL, raw, "expected an http:// or https:// URL");
        }
        if (uri.getHost() == null) {
            throw new ConfigException(URL, raw, "expected a host name, e.g. http://127.0.0.1:8081");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigException(URL, "(hidden: the URL holds credentials)",
                    "put credentials in " + BASIC_AUTH_USER_INFO + ", not in the URL");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigException(URL, raw, "expected a base URL without query or fragment");
        }
        return uri;
    }

    private static Optional<String> string(Map<String, ?> props, String key) {
        Object value = props.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof org.apache.kafka.common.config.types.Password password) {
            value = password.value();
        }
        if (!(value instanceof String s)) {
            throw new ConfigException(key, shown(key, value), "expected a string, got a " + value.getClass().getName());
        }
        String trimmed = s.trim();
        return trimmed.isEmpty() ? Optional.empty() : Optional.of(trimmed);
    }

    private static boolean bool(Map<String, ?> props, String key, boolean fallback) {
        Object value = props.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = value.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false")) {
            return false;
        }
        throw new ConfigException(key, value, "expected true or false");
    }

    private static Duration millis(Map<String, ?> props, String key, Duration fallback, long min) {
        Object value = props.get(key);
        if (value == null) {
            return fallback;
        }
        long ms;
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            ms = ((Number) value).longValue();
        } else {
            try {
                ms = Long.parseLong(value.toString().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "expected a whole number of milliseconds");
            }
        }
        if (ms < min) {
            throw new ConfigException(key, value, "expected at least " + min + " ms");
        }
        return Duration.ofMillis(ms);
    }

    private static Optional<Path> file(Map<String, ?> props, String key) {
        Optional<String> location = string(props, key);
        if (location.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(location.get());
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ConfigException(key, location.get(), "expected a readable file; there is none at "
                    + path.toAbsolutePath());
        }
        return Optional.of(path);
    }

    private static String storeType(Map<String, ?> props, String key) {
        String type = string(props, key).orElse("PKCS12").toUpperCase(Locale.ROOT);
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw new ConfigException(key, type, "expected PKCS12 or JKS");
        }
        return type;
    }

    private static Object shown(String key, Object value) {
        return SECRET_KEYS.contains(key) || key.endsWith("password") ? "(hidden)" : value;
    }
}
