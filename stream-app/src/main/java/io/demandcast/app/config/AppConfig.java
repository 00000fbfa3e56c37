package io.demandcast.app.config;

import io.demandcast.model.Bucket;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The stream app's configuration: read once at start from a properties file and the environment, validated, then
 * passed around as this one typed record. Each key is defined once, with its type, default, valid values and
 * documentation, in Kafka's {@link ConfigDef} ({@code AppConfigDef}, which also makes the README's configuration
 * table). Every key can be set in the environment as {@code DEMANDCAST_} plus the key upper-cased with dots turned
 * into underscores ({@code bootstrap.servers} -> {@code DEMANDCAST_BOOTSTRAP_SERVERS}); the environment overrides
 * the file. Keys starting with {@code streams.} go to Kafka Streams verbatim without the prefix; they come from the
 * file or from {@code DEMANDCAST_STREAMS_*} variables ({@code DEMANDCAST_STREAMS_NUM_STREAM_THREADS} ->
 * {@code num.stream.threads}), the environment winning here too. Unknown keys in the file are refused, so that a
 * typo does not silently fall back to a default.
 */
public record AppConfig(
        String applicationId,
        String bootstrapServers,
        String schemaRegistryUrl,
        String schemaRegistryBasicAuth,
        Map<String, String> schemaRegistryTls,
        Bucket bucket,
        Duration grace,
        int horizon,
        int historyLength,
        int batchSize,
        int seriesRetireAfterBuckets,
        Duration maxFutureSkew,
        Duration orderIdWindow,
        Instant minEventTime,
        double maxLineQuantity,
        double maxUnitPrice,
        Duration wallclockCloseInterval,
        Path modelDir,
        int restPort,
        String restHost,
        String restAdvertisedHost,
        Path stateDir,
        int numStandbyReplicas,
        String processingGuarantee,
        long commitIntervalMs,
        long transactionTimeoutMs,
        Topics.Names topicNames,
        int topicPartitions,
        short topicReplicationFactor,
        long topicRetentionMs,
        Map<String, String> streamsOverrides,
        Models models) {

    public static final String ENV_PREFIX = "DEMANDCAST_";
    public static final String STREAMS_PREFIX = "streams.";
    private static final String MASK = "****";
    private static final String REGISTRY_TLS_PREFIX = "schema.registry.ssl.";

    public AppConfig {
        Objects.requireNonNull(topicNames, "topicNames");
        Objects.requireNonNull(models, "models");
        streamsOverrides = Collections.unmodifiableMap(new TreeMap<>(streamsOverrides));
        schemaRegistryTls = Collections.unmodifiableMap(new TreeMap<>(schemaRegistryTls));
    }

    /** The keys of this configuration, in the order of {@link #describe()} (without the {@code streams.*} keys). */
    public static Set<String> keys() {
        return AppConfigDef.DEFINITION.names();
    }

    /** The defaults alone (handy in tests and for {@code --help}). */
    public static AppConfig defaults() {
        return from(Map.of(), Map.of());
    }

    /** Reads {@code file} (may be null: defaults and environment only) and overrides it with {@code env}. */
    public static AppConfig load(Path file, Map<String, String> env) throws IOException {
        Map<String, String> fromFile = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> fromFile.put(k, p.getProperty(k)));
        }
        try {
            return from(fromFile, env);
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(e, "file " + file);
        }
    }

    /** Builds the config from file properties and environment variables (the environment wins). */
    public static AppConfig from(Map<String, String> fileProperties, Map<String, String> env) {
        Map<String, String> v = new LinkedHashMap<>();
        Map<String, String> streams = new TreeMap<>();
        fileProperties.forEach((key, value) -> {
            String k = key.trim();
            if (k.startsWith(STREAMS_PREFIX)) {
                streams.put(k.substring(STREAMS_PREFIX.length()), value.trim());
            } else if (keys().contains(k)) {
                v.put(k, value.trim());
            } else {
                throw new InvalidConfigException(k, "unknown key; known keys: " + String.join(", ", keys())
                        + ", and streams.* for Kafka Streams");
            }
        });
        // Other DEMANDCAST_* variables (the launcher's, for instance) are not ours to refuse.
        for (String key : keys()) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                v.put(key, fromEnv.trim());
            }
        }
        // DEMANDCAST_STREAMS_NUM_STREAM_THREADS=2 is streams.num.stream.threads=2: Kafka's keys have dots, no
        // underscores, so the name maps back. For containers, whose settings come from the environment.
        String streamsEnv = ENV_PREFIX + "STREAMS_";
        env.forEach((name, value) -> {
            if (name.startsWith(streamsEnv) && name.length() > streamsEnv.length()) {
                streams.put(name.substring(streamsEnv.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                        value.trim());
            }
        });
        return parse(v, streams);
    }

    /** The environment variable that sets {@code key}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Checks each value on its own (type and validator of its definition), key by key, so that the refusal names
     * the key and the environment variable; then the checks that span keys.
     */
    private static AppConfig parse(Map<String, String> v, Map<String, String> streams) {
        for (ConfigDef.ConfigKey key : AppConfigDef.DEFINITION.configKeys().values()) {
            String value = v.get(key.name);
            if (value == null) {
                continue;
            }
            try {
                Object parsed = ConfigDef.parseType(key.name, value, key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(key.name, parsed);
                }
            } catch (ConfigException e) {
                String expected = AppConfigDef.expected(key.name);
                if (key.type == ConfigDef.Type.PASSWORD) {
                    // The value is a secret: say what is wrong with it, never what it is.
                    throw new InvalidConfigException(key.name, "expected " + expected + " (value not shown)");
                }
                throw new InvalidConfigException(key.name, maskUrl(value), expected);
            }
        }
        Values c = new Values(v);
        Bucket bucket = Bucket.parse(c.getString("bucket"));
        long commitInterval = c.getLong("commit.interval.ms");
        long txTimeout = c.getLong("transaction.timeout.ms");
        if (txTimeout <= commitInterval) {
            throw new InvalidConfigException("transaction.timeout.ms", Long.toString(txTimeout),
                    "more than commit.interval.ms (" + commitInterval + ")");
        }
        String restHost = c.getString("rest.host");
        String advertised = c.getString("rest.advertised.host");
        if (advertised.isEmpty()) {
            if (restHost.equals("0.0.0.0") || restHost.equals("::")) {
                throw new InvalidConfigException("rest.advertised.host", "",
                        "a host other instances can reach, since rest.host " + restHost + " is every interface");
            }
            advertised = restHost;
        }
        Topics.Names names = new Topics.Names(c.getString("topic.orders"), c.getString("topic.orders.dlq"),
                c.getString("topic.inventory"), c.getString("topic.sales.actuals"), c.getString("topic.forecasts"),
                c.getString("topic.restock.alerts"), c.getString("topic.models"));
        Password auth = c.getPassword("schema.registry.basic.auth.user.info");
        String modelDir = c.getString("model.dir");
        return new AppConfig(
                c.getString("application.id"),
                c.getString("bootstrap.servers"),
                c.getString("schema.registry.url"),
                auth == null || auth.value().isEmpty() ? null : auth.value(),
                registryTls(c, c.getString("schema.registry.url")),
                bucket,
                grace(c.getString("grace"), bucket),
                c.getInt("horizon"),
                c.getInt("history.length"),
                c.getInt("batch.size"),
                c.getInt("series.retire.after.buckets"),
                Duration.parse(c.getString("max.future.skew")),
                Duration.parse(c.getString("order.id.window")),
                Instant.parse(c.getString("min.event.time")),
                c.getDouble("max.line.quantity"),
                c.getDouble("max.unit.price"),
                Duration.parse(c.getString("wallclock.close.interval")),
                modelDir.isEmpty() ? null : Path.of(modelDir),
                c.getInt("rest.port"),
                restHost,
                advertised,
                Path.of(c.getString("state.dir")),
                c.getInt("num.standby.replicas"),
                c.getString("processing.guarantee"),
                commitInterval,
                txTimeout,
                names,
                c.getInt("topic.partitions"),
                c.getShort("topic.replication.factor"),
                c.getLong("topic.retention.ms"),
                streams,
                models(c));
    }

    /**
     * The {@code schema.registry.ssl.*} keys that are set, checked as the registry client reads them (the URL is
     * https, each store is a readable file that opens with its password), so that a wrong one stops the start
     * naming it rather than failing the first registry call.
     */
    private static Map<String, String> registryTls(Values c, String url) {
        Map<String, String> tls = new TreeMap<>();
        for (String key : AppConfigDef.DEFINITION.names()) {
            if (!key.startsWith(REGISTRY_TLS_PREFIX)) {
                continue;
            }
            Object value = AppConfigDef.DEFINITION.configKeys().get(key).type == ConfigDef.Type.PASSWORD
                    ? Optional.ofNullable(c.getPassword(key)).map(Password::value).orElse("") : c.getString(key);
            if (!value.toString().isEmpty()) {
                tls.put(key, value.toString());
            }
        }
        boolean stores = tls.containsKey(SerdeConfig.TRUSTSTORE_LOCATION)
                || tls.containsKey(SerdeConfig.KEYSTORE_LOCATION);
        if (!stores) {
            // Passwords and types alone configure nothing: keep the config as if they were unset.
            return Map.of();
        }
        Map<String, Object> props = new HashMap<>(tls);
        props.put(SerdeConfig.URL, url);
        try {
            SerdeConfig.fromProperties(props).tls().sslContext();
        } catch (ConfigException e) {
            String key = e.getMessage().contains("not https") ? "schema.registry.url"
                    : tls.keySet().stream().filter(k -> e.getMessage().contains(k)).findFirst()
                            .orElse(SerdeConfig.TRUSTSTORE_LOCATION);
            throw new InvalidConfigException(key, e.getMessage());
        }
        return tls;
    }

    /** The values as Kafka parses them: typed, defaults filled in (each already checked by {@link #parse}). */
    private static final class Values extends AbstractConfig {
        Values(Map<String, String> values) {
            super(AppConfigDef.DEFINITION, values, false);
        }
    }

    /**
     * The model registry on the models topic and online retraining.
     *
     * @param name the model's name: the key of the current release on the models topic
     * @param sharedDir where a release too big for the topic is written (a folder every instance sees)
     * @param cacheDir where this instance unzips the releases it loads
     * @param retrain whether this instance holds the trainer role
     * @param everyBuckets closed buckets between two fine-tunes of the champion
     * @param evalBuckets the most recent buckets held out of training to score candidate and champion
     * @param margin the relative MASE improvement a candidate needs to be promoted
     * @param epochs passes over the training window of one fine-tune
     * @param windowBuckets buckets of history the trainer keeps per series
     * @param maxSeries series the trainer keeps (the least recently updated are dropped beyond it)
     * @param scratchEveryBuckets closed buckets between two retrainings from scratch (0: never)
     * @param threads TensorFlow threads of the trainer
     */
    public record Models(String name, Path sharedDir, Path cacheDir, boolean retrain, int everyBuckets,
                         int evalBuckets, double margin, int epochs, int windowBuckets, int maxSeries,
                         int scratchEveryBuckets, int threads) {
    }

    private static Models models(Values c) {
        int eval = c.getInt("retrain.eval.buckets");
        int window = c.getInt("retrain.window.buckets");
        if (window <= eval) {
            throw new InvalidConfigException("retrain.window.buckets", Integer.toString(window),
                    "more than retrain.eval.buckets (" + eval + ")");
        }
        return new Models(c.getString("model.name"), Path.of(c.getString("model.shared.dir")),
                Path.of(c.getString("model.cache.dir")), c.getBoolean("retrain.enabled"),
                c.getInt("retrain.every.buckets"), eval, c.getDouble("retrain.margin"), c.getInt("retrain.epochs"),
                window, c.getInt("retrain.max.series"), c.getInt("retrain.scratch.every.buckets"),
                c.getInt("retrain.threads"));
    }

    /**
     * TensorFlow threads for one forecast call of the served model: the cores shared out among the stream threads,
     * each of which forecasts its own tasks' series at the same time. Measured on 2 cores (ModelBench, BENCHMARKS.md
     * history): 2 callers on 1 thread each forecast about 50,000 series per CPU-second, 2 callers on TensorFlow's
     * default pools (one thread per core each) about 32,000, their pools spinning against each other.
     */
    public int servingThreads() {
        int streamThreads = Integer.parseInt(streamsProperties().getProperty(
                StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1").trim());
        return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, streamThreads));
    }

    /** The Kafka Streams properties of this config; {@code streams.*} keys override the derived ones. */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(numStandbyReplicas));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitIntervalMs));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), Long.toString(transactionTimeoutMs));
        // A close sends a burst of 100,000s of records (actuals, forecasts, changelogs): 16 KB batches (the
        // client's default) mean a batch per dozen forecasts. Overridable as streams.producer.batch.size.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(256 * 1024));
        // No task waits for an empty input to line records up by timestamp. Only the restock task has two inputs,
        // and no order between them is owed: levels carry wall-clock stamps, forecasts their bucket's end. With any
        // other value Kafka Streams 4.4 formats a log line per empty partition each time it asks whether a task can
        // process (whether the line is logged or not): a tenth of the stream threads' CPU in a bucket close.
        // Overridable as streams.max.task.idle.ms.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        // Internal topic and store names must not shift when the topology changes, or a restart loses its state.
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
        p.putAll(streamsOverrides);
        return p;
    }

    /**
     * What every Kafka client of the app (Admin, producers, consumers besides Kafka Streams' own) needs to reach the
     * broker: {@code bootstrap.servers} and the broker's security settings among the {@code streams.*} keys
     * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}), so that one secured configuration serves
     * {@code run}, {@code produce}, {@code tail} and {@code models} alike. A client adds its own settings to it.
     */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        streamsOverrides.forEach((k, val) -> {
            if (isBrokerSecurityKey(k)) {
                p.put(k, val);
            }
        });
        return p;
    }

    /** Whether a {@code streams.*} key (without the prefix) says how to authenticate to the broker. */
    private static boolean isBrokerSecurityKey(String key) {
        return key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) || key.startsWith("sasl.")
                || key.startsWith("ssl.");
    }

    /** The broker's security protocol as configured ({@code streams.security.protocol}; Kafka's default PLAINTEXT). */
    public String brokerSecurityProtocol() {
        return streamsOverrides.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    }

    /** The schema registry client's settings: URL and credentials ({@code schema.registry.basic.auth.user.info}). */
    public SerdeConfig serdeConfig() {
        Map<String, Object> props = new HashMap<>();
        props.put(SerdeConfig.URL, schemaRegistryUrl);
        if (schemaRegistryBasicAuth != null) {
            props.put(SerdeConfig.REGISTRY_BASIC_AUTH_USER_INFO, schemaRegistryBasicAuth);
        }
        props.putAll(schemaRegistryTls);
        return SerdeConfig.fromProperties(props);
    }

    /** Whether {@code key} holds a secret that logs must not show. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("basic.auth") || k.contains("user.info")
                || k.contains("sasl.jaas") || k.contains("token") || k.contains("credentials")
                || k.endsWith("keystore.key");
    }

    /** Every effective key and value, secrets masked: the form to log at start. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("application.id", applicationId);
        out.put("bootstrap.servers", bootstrapServers);
        out.put("schema.registry.url", maskUrl(schemaRegistryUrl));
        out.put("schema.registry.basic.auth.user.info", schemaRegistryBasicAuth == null ? "" : schemaRegistryBasicAuth);
        AppConfigDef.DEFINITION.names().stream().filter(k -> k.startsWith(REGISTRY_TLS_PREFIX))
                .forEach(k -> out.put(k, schemaRegistryTls.getOrDefault(k,
                        Objects.toString(AppConfigDef.DEFINITION.configKeys().get(k).defaultValue, ""))));
        out.put("bucket", bucket.label());
        out.put("grace", grace.toString());
        out.put("horizon", Integer.toString(horizon));
        out.put("history.length", Integer.toString(historyLength));
        out.put("batch.size", Integer.toString(batchSize));
        out.put("series.retire.after.buckets", Integer.toString(seriesRetireAfterBuckets));
        out.put("max.future.skew", maxFutureSkew.toString());
        out.put("order.id.window", orderIdWindow.toString());
        out.put("min.event.time", minEventTime.toString());
        out.put("max.line.quantity", Double.toString(maxLineQuantity));
        out.put("max.unit.price", Double.toString(maxUnitPrice));
        out.put("wallclock.close.interval", wallclockCloseInterval.toString());
        out.put("model.dir", modelDir == null ? "" : modelDir.toString());
        out.put("rest.port", Integer.toString(restPort));
        out.put("rest.host", restHost);
        out.put("rest.advertised.host", restAdvertisedHost);
        out.put("state.dir", stateDir.toString());
        out.put("num.standby.replicas", Integer.toString(numStandbyReplicas));
        out.put("processing.guarantee", processingGuarantee);
        out.put("commit.interval.ms", Long.toString(commitIntervalMs));
        out.put("transaction.timeout.ms", Long.toString(transactionTimeoutMs));
        out.put("topic.orders", topicNames.orders());
        out.put("topic.orders.dlq", topicNames.ordersDlq());
        out.put("topic.inventory", topicNames.inventory());
        out.put("topic.sales.actuals", topicNames.salesActuals());
        out.put("topic.forecasts", topicNames.forecasts());
        out.put("topic.restock.alerts", topicNames.restockAlerts());
        out.put("topic.models", topicNames.models());
        out.put("topic.partitions", Integer.toString(topicPartitions));
        out.put("topic.replication.factor", Short.toString(topicReplicationFactor));
        out.put("topic.retention.ms", Long.toString(topicRetentionMs));
        out.put("model.name", models.name());
        out.put("model.shared.dir", models.sharedDir().toString());
        out.put("model.cache.dir", models.cacheDir().toString());
        out.put("retrain.enabled", Boolean.toString(models.retrain()));
        out.put("retrain.every.buckets", Integer.toString(models.everyBuckets()));
        out.put("retrain.eval.buckets", Integer.toString(models.evalBuckets()));
        out.put("retrain.margin", Double.toString(models.margin()));
        out.put("retrain.epochs", Integer.toString(models.epochs()));
        out.put("retrain.window.buckets", Integer.toString(models.windowBuckets()));
        out.put("retrain.max.series", Integer.toString(models.maxSeries()));
        out.put("retrain.scratch.every.buckets", Integer.toString(models.scratchEveryBuckets()));
        out.put("retrain.threads", Integer.toString(models.threads()));
        // The definitions say which of our keys are secrets (Type.PASSWORD); Kafka's keys are recognised by name.
        AppConfigDef.DEFINITION.configKeys().values().forEach(key -> {
            if (key.type == ConfigDef.Type.PASSWORD && !out.get(key.name).isEmpty()) {
                out.put(key.name, MASK);
            }
        });
        streamsOverrides.forEach((k, val) -> out.put(STREAMS_PREFIX + k, isSecret(k) ? MASK : val));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AppConfig{");
        describe().forEach((k, val) -> sb.append(sb.length() > 10 ? ", " : "").append(k).append('=').append(val));
        return sb.append('}').toString();
    }

    /** A copy with another state directory (tests and replays run beside a live instance). */
    public AppConfig withStateDir(Path dir) {
        return new AppConfig(applicationId, bootstrapServers, schemaRegistryUrl, schemaRegistryBasicAuth, schemaRegistryTls, bucket,
                grace, horizon, historyLength, batchSize, seriesRetireAfterBuckets, maxFutureSkew, orderIdWindow,
                minEventTime,
                maxLineQuantity, maxUnitPrice, wallclockCloseInterval, modelDir, restPort, restHost,
                restAdvertisedHost, dir, numStandbyReplicas, processingGuarantee, commitIntervalMs,
                transactionTimeoutMs, topicNames, topicPartitions, topicReplicationFactor, topicRetentionMs,
                streamsOverrides, models);
    }

    /** A copy with other model registry and retraining settings (tests, the {@code models} command). */
    public AppConfig withModels(Models other) {
        return new AppConfig(applicationId, bootstrapServers, schemaRegistryUrl, schemaRegistryBasicAuth, schemaRegistryTls, bucket,
                grace, horizon, historyLength, batchSize, seriesRetireAfterBuckets, maxFutureSkew, orderIdWindow,
                minEventTime,
                maxLineQuantity, maxUnitPrice, wallclockCloseInterval, modelDir, restPort, restHost,
                restAdvertisedHost, stateDir, numStandbyReplicas, processingGuarantee, commitIntervalMs,
                transactionTimeoutMs, topicNames, topicPartitions, topicReplicationFactor, topicRetentionMs,
                streamsOverrides, other);
    }

    /**
     * A copy for a replay beside the production app: its own application id (so its own consumer group,
     * transactional ids and internal topics), topics (created with {@code replayPartitions}), state directory and
     * model, REST on any free port.
     */
    public AppConfig asReplay(String replayId, Topics.Names replayTopics, int replayPartitions, Path replayStateDir,
                              Path replayModelDir, Models replayModels) {
        return new AppConfig(replayId, bootstrapServers, schemaRegistryUrl, schemaRegistryBasicAuth, schemaRegistryTls, bucket,
                grace, horizon, historyLength, batchSize, seriesRetireAfterBuckets, maxFutureSkew, orderIdWindow,
                minEventTime,
                maxLineQuantity, maxUnitPrice, wallclockCloseInterval, replayModelDir, 0, restHost,
                restAdvertisedHost, replayStateDir, numStandbyReplicas, processingGuarantee, commitIntervalMs,
                transactionTimeoutMs, replayTopics, replayPartitions, topicReplicationFactor, topicRetentionMs,
                streamsOverrides, replayModels);
    }

    // A URL may carry user:password@ in its authority.
    private static String maskUrl(String url) {
        return url.replaceFirst("//[^/@]+@", "//" + MASK + "@");
    }

    /**
     * Grace as an ISO duration ({@code PT2H}) or in buckets ({@code 1 bucket}, {@code 0.5 buckets}); a bucket
     * counts as its longest length (a month as 31 days) so that "one bucket" of grace is never less than one.
     */
    private static Duration grace(String s, Bucket bucket) {
        Matcher m = Expect.BUCKETS.matcher(s);
        if (m.matches()) {
            return Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * longestMillis(bucket)));
        }
        return Duration.parse(s);
    }

    private static long longestMillis(Bucket bucket) {
        return switch (bucket) {
            case HOUR -> Duration.ofHours(1).toMillis();
            case DAY -> Duration.ofDays(1).toMillis();
            case WEEK -> Duration.ofDays(7).toMillis();
            case MONTH -> Duration.ofDays(31).toMillis();
        };
    }
}
