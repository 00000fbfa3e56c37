package io.demandcast.app.config;

import io.demandcast.model.Bucket;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The stream app's configuration: read once at start from a properties file and the environment, validated, then
 * passed around as this one typed record. Every key can be set in the environment as {@code DEMANDCAST_} plus the
 * key upper-cased with dots turned into underscores ({@code bootstrap.servers} ->
 * {@code DEMANDCAST_BOOTSTRAP_SERVERS}); the environment overrides the file. Keys starting with {@code streams.}
 * (file only) go to Kafka Streams verbatim without the prefix. Unknown keys in the file are refused, so that a
 * typo does not silently fall back to a default.
 */
public record AppConfig(
        String applicationId,
        String bootstrapServers,
        String schemaRegistryUrl,
        String schemaRegistryBasicAuth,
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

    /** Every key with its default; an empty default means "not set". Order is the order of {@link #describe()}. */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("application.id", "demandcast");
        d.put("bootstrap.servers", "127.0.0.1:9092");
        d.put("schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
        d.put("schema.registry.basic.auth.user.info", "");
        d.put("bucket", "day");
        d.put("grace", "PT1H");
        d.put("horizon", "14");
        d.put("history.length", "120");
        // 1,024, the LSTM's own session batch: a quarter of the session runs of 256, which closed 100,000 series
        // 0.1-0.4 s faster on 2 cores once the input arrays were reused (BENCHMARKS.md, "Cycle, evening").
        d.put("batch.size", "1024");
        d.put("series.retire.after.buckets", "90");
        d.put("max.future.skew", "P30D");
        // An order counted once (same id, same content) is a duplicate for this long of event time (PT0S: no check).
        d.put("order.id.window", "P7D");
        d.put("min.event.time", "2000-01-01T00:00:00Z");
        d.put("max.line.quantity", "50000");
        d.put("max.unit.price", "100000");
        d.put("wallclock.close.interval", "PT30S");
        d.put("model.dir", "");
        d.put("rest.port", "8080");
        d.put("rest.host", "127.0.0.1");
        // What other instances call for interactive queries (application.server); empty: rest.host.
        d.put("rest.advertised.host", "");
        d.put("state.dir", ".demandcast/state");
        d.put("num.standby.replicas", "0");
        d.put("processing.guarantee", StreamsConfig.EXACTLY_ONCE_V2);
        // A loaded 2-core machine fenced transactions at the 10 s default (docs/ARCHITECTURE.md): commit less often
        // and give a transaction a minute, well inside the broker's default 15 min transaction.max.timeout.ms.
        d.put("commit.interval.ms", "1000");
        d.put("transaction.timeout.ms", "60000");
        Topics.Names names = Topics.Names.defaults();
        d.put("topic.orders", names.orders());
        d.put("topic.orders.dlq", names.ordersDlq());
        d.put("topic.inventory", names.inventory());
        d.put("topic.sales.actuals", names.salesActuals());
        d.put("topic.forecasts", names.forecasts());
        d.put("topic.restock.alerts", names.restockAlerts());
        d.put("topic.models", names.models());
        // Used only when `run` creates a missing topic; -1 takes the broker's default.replication.factor.
        d.put("topic.partitions", "3");
        d.put("topic.replication.factor", "-1");
        // Records carry event time, years old in a replay: time-based retention would delete them as they arrive.
        d.put("topic.retention.ms", "-1");
        d.put("model.name", "default");
        // Where a release too big for the models topic is written; every instance must see the same folder.
        d.put("model.shared.dir", ".demandcast/models");
        d.put("model.cache.dir", ".demandcast/model-cache");
        d.put("retrain.enabled", "false");
        d.put("retrain.every.buckets", "7");
        d.put("retrain.eval.buckets", "14");
        d.put("retrain.margin", "0.02");
        d.put("retrain.epochs", "2");
        d.put("retrain.window.buckets", "120");
        d.put("retrain.max.series", "100000");
        d.put("retrain.scratch.every.buckets", "90");
        // TensorFlow threads of the trainer: training must leave the cores to the stream threads.
        d.put("retrain.threads", "1");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private static final Pattern BUCKETS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*buckets?",
            Pattern.CASE_INSENSITIVE);

    public AppConfig {
        Objects.requireNonNull(topicNames, "topicNames");
        Objects.requireNonNull(models, "models");
        streamsOverrides = Collections.unmodifiableMap(new TreeMap<>(streamsOverrides));
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
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> streams = new TreeMap<>();
        fileProperties.forEach((key, value) -> {
            String k = key.trim();
            if (k.startsWith(STREAMS_PREFIX)) {
                streams.put(k.substring(STREAMS_PREFIX.length()), value.trim());
            } else if (DEFAULTS.containsKey(k)) {
                v.put(k, value.trim());
            } else {
                throw new InvalidConfigException(k, "unknown key; known keys: " + String.join(", ", DEFAULTS.keySet())
                        + ", and streams.* for Kafka Streams");
            }
        });
        // Other DEMANDCAST_* variables (the launcher's, for instance) are not ours to refuse.
        for (String key : DEFAULTS.keySet()) {
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

    private static AppConfig parse(Map<String, String> v, Map<String, String> streams) {
        Bucket bucket;
        try {
            bucket = Bucket.parse(v.get("bucket"));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("bucket", v.get("bucket"), "one of hour, day, week, month");
        }
        String guarantee = v.get("processing.guarantee");
        if (!guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2) && !guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
            throw new InvalidConfigException("processing.guarantee", guarantee,
                    StreamsConfig.EXACTLY_ONCE_V2 + " or " + StreamsConfig.AT_LEAST_ONCE);
        }
        long commitInterval = longIn(v, "commit.interval.ms", 1, 600_000);
        long txTimeout = longIn(v, "transaction.timeout.ms", 1_000, 900_000);
        if (txTimeout <= commitInterval) {
            throw new InvalidConfigException("transaction.timeout.ms", Long.toString(txTimeout),
                    "more than commit.interval.ms (" + commitInterval + ")");
        }
        Topics.Names names = new Topics.Names(
                name(v, "topic.orders"), name(v, "topic.orders.dlq"), name(v, "topic.inventory"),
                name(v, "topic.sales.actuals"), name(v, "topic.forecasts"), name(v, "topic.restock.alerts"),
                name(v, "topic.models"));
        String auth = v.get("schema.registry.basic.auth.user.info");
        if (!auth.isEmpty() && auth.indexOf(':') < 1) {
            // The value is a secret: say what is wrong with it, never what it is.
            throw new InvalidConfigException("schema.registry.basic.auth.user.info",
                    "expected user:password with a non-empty user before the first ':' (value not shown)");
        }
        String modelDir = v.get("model.dir");
        return new AppConfig(
                required(v, "application.id"),
                hostPorts(v, "bootstrap.servers"),
                httpUrl(v, "schema.registry.url"),
                auth.isEmpty() ? null : auth,
                bucket,
                grace(v, "grace", bucket),
                intIn(v, "horizon", 1, 1_000),
                intIn(v, "history.length", 1, 100_000),
                intIn(v, "batch.size", 1, 1_000_000),
                intIn(v, "series.retire.after.buckets", 1, 1_000_000),
                positiveDuration(v, "max.future.skew"),
                nonNegativeDuration(v, "order.id.window"),
                instant(v, "min.event.time"),
                positiveDouble(v, "max.line.quantity"),
                positiveDouble(v, "max.unit.price"),
                positiveDuration(v, "wallclock.close.interval"),
                modelDir.isEmpty() ? null : Path.of(modelDir),
                intIn(v, "rest.port", 0, 65_535),
                host(v, "rest.host"),
                advertisedHost(v),
                Path.of(required(v, "state.dir")),
                intIn(v, "num.standby.replicas", 0, 100),
                guarantee,
                commitInterval,
                txTimeout,
                names,
                intIn(v, "topic.partitions", 1, 10_000),
                replicationFactor(v),
                retention(v),
                streams,
                models(v));
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

    private static Models models(Map<String, String> v) {
        String name = required(v, "model.name");
        if (!name.matches("[a-zA-Z0-9._-]{1,100}")) {
            throw new InvalidConfigException("model.name", name, "letters, digits, '.', '_' or '-' (no '@')");
        }
        String enabled = v.get("retrain.enabled").toLowerCase(Locale.ROOT);
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw new InvalidConfigException("retrain.enabled", v.get("retrain.enabled"), "true or false");
        }
        int eval = intIn(v, "retrain.eval.buckets", 1, 10_000);
        int window = intIn(v, "retrain.window.buckets", 2, 100_000);
        if (window <= eval) {
            throw new InvalidConfigException("retrain.window.buckets", Integer.toString(window),
                    "more than retrain.eval.buckets (" + eval + ")");
        }
        String margin = v.get("retrain.margin");
        double m;
        try {
            m = Double.parseDouble(margin);
        } catch (NumberFormatException e) {
            m = Double.NaN;
        }
        if (!(m >= 0 && m < 1)) {
            throw new InvalidConfigException("retrain.margin", margin, "a number in [0, 1), e.g. 0.02 for 2%");
        }
        return new Models(name, Path.of(required(v, "model.shared.dir")), Path.of(required(v, "model.cache.dir")),
                Boolean.parseBoolean(enabled), intIn(v, "retrain.every.buckets", 1, 1_000_000), eval, m,
                intIn(v, "retrain.epochs", 1, 1_000), window, intIn(v, "retrain.max.series", 1, 100_000_000),
                intIn(v, "retrain.scratch.every.buckets", 0, 1_000_000), intIn(v, "retrain.threads", 1, 256));
    }

    /**
     * TensorFlow threads for one forecast call of the served model: the cores shared out among the stream threads,
     * each of which forecasts its own tasks' series at the same time. Measured on 2 cores (ModelBench, BENCHMARKS.md
     * "Speed"): 2 callers on 1 thread each forecast about 50,000 series per CPU-second, 2 callers on TensorFlow's
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
        out.put("schema.registry.basic.auth.user.info", schemaRegistryBasicAuth == null ? "" : MASK);
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
        return new AppConfig(applicationId, bootstrapServers, schemaRegistryUrl, schemaRegistryBasicAuth, bucket,
                grace, horizon, historyLength, batchSize, seriesRetireAfterBuckets, maxFutureSkew, orderIdWindow,
                minEventTime,
                maxLineQuantity, maxUnitPrice, wallclockCloseInterval, modelDir, restPort, restHost,
                restAdvertisedHost, dir, numStandbyReplicas, processingGuarantee, commitIntervalMs,
                transactionTimeoutMs, topicNames, topicPartitions, topicReplicationFactor, topicRetentionMs,
                streamsOverrides, models);
    }

    /** A copy with other model registry and retraining settings (tests, the {@code models} command). */
    public AppConfig withModels(Models other) {
        return new AppConfig(applicationId, bootstrapServers, schemaRegistryUrl, schemaRegistryBasicAuth, bucket,
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
        return new AppConfig(replayId, bootstrapServers, schemaRegistryUrl, schemaRegistryBasicAuth, bucket,
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

    private static String required(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            throw new InvalidConfigException(key, String.valueOf(s), "a non-empty value");
        }
        return s;
    }

    private static String host(Map<String, String> v, String key) {
        String s = required(v, key);
        if (!s.matches("[A-Za-z0-9.:_-]+")) {
            throw new InvalidConfigException(key, s, "a host name or IP address such as 127.0.0.1");
        }
        return s;
    }

    private static String advertisedHost(Map<String, String> v) {
        String s = v.get("rest.advertised.host");
        if (s == null || s.isBlank()) {
            String bound = host(v, "rest.host");
            if (bound.equals("0.0.0.0") || bound.equals("::")) {
                throw new InvalidConfigException("rest.advertised.host", "",
                        "a host other instances can reach, since rest.host " + bound + " is every interface");
            }
            return bound;
        }
        return host(v, "rest.advertised.host");
    }

    private static short replicationFactor(Map<String, String> v) {
        long n = longIn(v, "topic.replication.factor", -1, Short.MAX_VALUE);
        if (n == 0) {
            throw new InvalidConfigException("topic.replication.factor", "0", "-1 (the broker's default) or >= 1");
        }
        return (short) n;
    }

    private static long retention(Map<String, String> v) {
        long n = longIn(v, "topic.retention.ms", -1, Long.MAX_VALUE);
        if (n == 0) {
            throw new InvalidConfigException("topic.retention.ms", "0", "-1 (keep for ever) or > 0 milliseconds");
        }
        return n;
    }

    private static String name(Map<String, String> v, String key) {
        String s = required(v, key);
        if (!s.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new InvalidConfigException(key, s, "a Kafka topic name (letters, digits, '.', '_', '-')");
        }
        return s;
    }

    private static String hostPorts(Map<String, String> v, String key) {
        String s = required(v, key);
        for (String hp : s.split(",")) {
            if (!hp.trim().matches("[^:\\s]+:\\d{1,5}")) {
                throw new InvalidConfigException(key, s, "a comma-separated list of host:port");
            }
        }
        return s;
    }

    private static String httpUrl(Map<String, String> v, String key) {
        String s = required(v, key);
        try {
            URI u = URI.create(s);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new InvalidConfigException(key, maskUrl(s), "an http:// or https:// URL with a host");
            }
        } catch (IllegalArgumentException e) {
            if (e instanceof InvalidConfigException ice) {
                throw ice;
            }
            throw new InvalidConfigException(key, maskUrl(s), "an http:// or https:// URL with a host");
        }
        return s;
    }

    private static int intIn(Map<String, String> v, String key, int min, int max) {
        return (int) longIn(v, key, min, max);
    }

    private static long longIn(Map<String, String> v, String key, long min, long max) {
        String s = v.get(key);
        try {
            long n = Long.parseLong(s);
            if (n < min || n > max) {
                throw new InvalidConfigException(key, s, "an integer in [" + min + ", " + max + "]");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key, s, "an integer in [" + min + ", " + max + "]");
        }
    }

    private static double positiveDouble(Map<String, String> v, String key) {
        String s = v.get(key);
        try {
            double d = Double.parseDouble(s);
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new InvalidConfigException(key, s, "a finite number > 0");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key, s, "a finite number > 0");
        }
    }

    private static Duration positiveDuration(Map<String, String> v, String key) {
        String s = v.get(key);
        try {
            Duration d = Duration.parse(s);
            if (d.isNegative() || d.isZero()) {
                throw new InvalidConfigException(key, s, "a positive ISO-8601 duration such as PT30S or P1D");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new InvalidConfigException(key, s, "a positive ISO-8601 duration such as PT30S or P1D");
        }
    }

    private static Duration nonNegativeDuration(Map<String, String> v, String key) {
        String s = v.get(key);
        try {
            Duration d = Duration.parse(s);
            if (d.isNegative()) {
                throw new InvalidConfigException(key, s, "an ISO-8601 duration >= 0 such as PT0S or P7D");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new InvalidConfigException(key, s, "an ISO-8601 duration >= 0 such as PT0S or P7D");
        }
    }

    private static Instant instant(Map<String, String> v, String key) {
        String s = v.get(key);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new InvalidConfigException(key, s, "an ISO-8601 UTC instant such as 2000-01-01T00:00:00Z");
        }
    }

    /**
     * Grace as an ISO duration ({@code PT2H}) or in buckets ({@code 1 bucket}, {@code 0.5 buckets}); a bucket
     * counts as its longest length (a month as 31 days) so that "one bucket" of grace is never less than one.
     */
    private static Duration grace(Map<String, String> v, String key, Bucket bucket) {
        String s = v.get(key);
        String expected = "an ISO-8601 duration (PT1H, P1D) or a number of buckets (1 bucket, 0.5 buckets), >= 0";
        Matcher m = BUCKETS.matcher(s);
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            return Duration.ofMillis(Math.round(n * longestMillis(bucket)));
        }
        try {
            Duration d = Duration.parse(s);
            if (d.isNegative()) {
                throw new InvalidConfigException(key, s, expected);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new InvalidConfigException(key, s, expected);
        }
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
