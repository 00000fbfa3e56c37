package io.demandcast.app.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.PASSWORD;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import io.demandcast.schemas.Topics;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Every key of {@link AppConfig}, defined once: type, default, what it accepts, importance and documentation. The
 * order here is the order of the configuration tables ({@link ConfigTable}) and of the logged
 * configuration. Defaults are strings, as a user writes them in the file.
 */
final class AppConfigDef {

    static final ConfigDef DEFINITION = new ConfigDef()
            .define("application.id", STRING, "demandcast", Expect.nonEmpty(), HIGH,
                    "Consumer group and prefix of internal topics: instances with the same id share the work.")
            .define("bootstrap.servers", STRING, "127.0.0.1:9092", Expect.hostPorts(), HIGH,
                    "Kafka brokers.")
            .define("schema.registry.url", STRING, "http://127.0.0.1:8081/apis/ccompat/v7", Expect.httpUrl(), HIGH,
                    "Confluent-compatible registry API.")
            .define("schema.registry.basic.auth.user.info", PASSWORD, null, Expect.userInfoOrEmpty(), HIGH,
                    "`user:password` for the registry; empty: no credentials.")
            // An https registry signed by a private CA, or one that asks for a client certificate: the stores the
            // registry client builds its TLS context from (PKCS12 or JKS, as Kafka's ssl.* keys).
            .define("schema.registry.ssl.truststore.location", STRING, "", Expect.anything("a file, or empty"),
                    MEDIUM, "Trust store for an `https` registry; empty: the JVM's default trust.")
            .define("schema.registry.ssl.truststore.password", PASSWORD, null, null, MEDIUM,
                    "Password of the trust store.")
            .define("schema.registry.ssl.truststore.type", STRING, "PKCS12", Expect.oneOf("PKCS12", "JKS"), LOW,
                    "Type of the trust store.")
            .define("schema.registry.ssl.keystore.location", STRING, "", Expect.anything("a file, or empty"),
                    MEDIUM, "Key store with the client certificate, for a registry that asks for one; empty: none.")
            .define("schema.registry.ssl.keystore.password", PASSWORD, null, null, MEDIUM,
                    "Password of the key store.")
            .define("schema.registry.ssl.keystore.type", STRING, "PKCS12", Expect.oneOf("PKCS12", "JKS"), LOW,
                    "Type of the key store.")
            .define("schema.registry.ssl.key.password", PASSWORD, null, null, LOW,
                    "Password of the key in the key store; empty: the key store's password.")
            .define("bucket", STRING, "day", Expect.bucket(), HIGH,
                    "Length of the buckets that sales are summed and forecast in.")
            .define("grace", STRING, "PT1H", Expect.grace(), MEDIUM,
                    "How late an order may come before its bucket closes; a number of buckets counts a bucket at "
                            + "its longest (a month as 31 days).")
            .define("horizon", INT, "14", Expect.intIn(1, 1_000), HIGH,
                    "Buckets forecast ahead.")
            .define("history.length", INT, "120", Expect.intIn(1, 100_000), MEDIUM,
                    "Closed buckets kept per series.")
            // 1,024, the LSTM's own session batch: a quarter of the session runs of 256, which closed 100,000
            // series 0.1-0.4 s faster on 2 cores once the input arrays were reused (BENCHMARKS.md, history).
            .define("batch.size", INT, "1024", Expect.intIn(1, 1_000_000), LOW,
                    "Series per model call.")
            .define("series.retire.after.buckets", INT, "90", Expect.intIn(1, 1_000_000), MEDIUM,
                    "A series silent this long is dropped (REST keeps its last forecast as long).")
            .define("max.future.skew", STRING, "P30D", Expect.positiveDuration(), MEDIUM,
                    "Orders further ahead of the wall clock or stream time are `bad-time`.")
            // An order counted once (same id, same content) is a duplicate for this long of event time.
            .define("order.id.window", STRING, "P7D", Expect.nonNegativeDuration(), MEDIUM,
                    "A resent order (same id and content) within this much event time is a `duplicate`; `PT0S`: "
                            + "no check.")
            .define("min.event.time", STRING, "2000-01-01T00:00:00Z", Expect.instant(), MEDIUM,
                    "Earlier orders are `bad-time`.")
            .define("max.line.quantity", DOUBLE, "50000", Expect.positiveNumber(), MEDIUM,
                    "Order lines with a larger quantity are dead-lettered.")
            .define("max.unit.price", DOUBLE, "100000", Expect.positiveNumber(), MEDIUM,
                    "Order lines with a larger unit price are dead-lettered.")
            .define("wallclock.close.interval", STRING, "PT30S", Expect.positiveDuration(), LOW,
                    "After this long without orders, a partition with nothing to read is idle and its buckets "
                            + "close by the wall clock.")
            .define("model.dir", STRING, "", Expect.anything("a folder, or empty"), HIGH,
                    "The first model to serve, published as the first release while the models topic holds none; "
                            + "empty: the seasonal naive fallback.")
            .define("rest.port", INT, "8080", Expect.intIn(0, 65_535), MEDIUM,
                    "Where REST listens; `0`: any free port.")
            .define("rest.host", STRING, "127.0.0.1", Expect.host(), MEDIUM,
                    "The interface REST binds; `0.0.0.0`: every interface.")
            // What other instances call for interactive queries (application.server).
            .define("rest.advertised.host", STRING, "", Expect.hostOrEmpty(), MEDIUM,
                    "The host other instances call; empty: `rest.host`, which then must not be `0.0.0.0`.")
            .define("state.dir", STRING, ".demandcast/state", Expect.nonEmpty(), HIGH,
                    "Local state (Kafka Streams' stores).")
            .define("num.standby.replicas", INT, "0", Expect.intIn(0, 100), LOW,
                    "Warm copies of each task's local state on other instances.")
            .define("processing.guarantee", STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    Expect.oneOf(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), MEDIUM,
                    "Kafka Streams' processing guarantee.")
            // A loaded 2-core machine fenced transactions at the 10 s default (docs/ARCHITECTURE.md): commit less
            // often and give a transaction a minute, well inside the broker's default 15 min
            // transaction.max.timeout.ms.
            .define("commit.interval.ms", LONG, "1000", Expect.intIn(1, 600_000), LOW,
                    "Milliseconds between commits: the size of a transaction.")
            .define("transaction.timeout.ms", LONG, "60000", Expect.intIn(1_000, 900_000), LOW,
                    "Milliseconds a transaction may stay open; more than `commit.interval.ms`.")
            .define("topic.orders", STRING, Topics.Names.defaults().orders(), Expect.topicName(), MEDIUM,
                    "Orders, the input ([Topics](#topics)).")
            .define("topic.orders.dlq", STRING, Topics.Names.defaults().ordersDlq(), Expect.topicName(), MEDIUM,
                    "Orders refused, with the reason.")
            .define("topic.inventory", STRING, Topics.Names.defaults().inventory(), Expect.topicName(), MEDIUM,
                    "Stock levels, input of the restock alerts.")
            .define("topic.sales.actuals", STRING, Topics.Names.defaults().salesActuals(), Expect.topicName(),
                    MEDIUM, "Closed buckets' sales.")
            .define("topic.forecasts", STRING, Topics.Names.defaults().forecasts(), Expect.topicName(), MEDIUM,
                    "Forecasts.")
            .define("topic.restock.alerts", STRING, Topics.Names.defaults().restockAlerts(), Expect.topicName(),
                    MEDIUM, "Restock alerts.")
            .define("topic.models", STRING, Topics.Names.defaults().models(), Expect.topicName(), MEDIUM,
                    "Model releases.")
            // Used only when `run` creates a missing topic.
            .define("topic.partitions", INT, "3", Expect.intIn(1, 10_000), MEDIUM,
                    "Partitions of the topics `run` creates.")
            .define("topic.replication.factor", SHORT, "-1",
                    Expect.minusOneOrPositive("-1 (the broker's default) or >= 1"), MEDIUM,
                    "Replication of the topics `run` creates; `-1`: the broker's `default.replication.factor`.")
            // Records carry event time, years old in a replay: time-based retention would delete them as they arrive.
            .define("topic.retention.ms", LONG, "-1",
                    Expect.minusOneOrPositive("-1 (keep for ever) or > 0 milliseconds"), MEDIUM,
                    "Retention of the topics `run` creates; `-1`: for ever, as replayed records carry old event "
                            + "times (set it on your own topics too).")
            .define("model.name", STRING, "default", Expect.modelName(), MEDIUM,
                    "The model's key on the models topic.")
            .define("model.shared.dir", STRING, ".demandcast/models", Expect.nonEmpty(), MEDIUM,
                    "Where releases too big for the models topic go; every instance must see this folder.")
            .define("model.cache.dir", STRING, ".demandcast/model-cache", Expect.nonEmpty(), LOW,
                    "Where an instance unzips the releases it loads (it keeps three).")
            .define("retrain.enabled", BOOLEAN, "false", Expect.trueOrFalse(), MEDIUM,
                    "This instance holds the trainer role (set it on one instance).")
            .define("retrain.every.buckets", INT, "7", Expect.intIn(1, 1_000_000), MEDIUM,
                    "Closed buckets between two fine-tunes of the champion.")
            .define("retrain.eval.buckets", INT, "14", Expect.intIn(1, 10_000), LOW,
                    "The most recent buckets held out of training to score candidate and champion.")
            .define("retrain.margin", DOUBLE, "0.02", Expect.fraction(), LOW,
                    "The relative MASE gain a candidate needs to be promoted.")
            .define("retrain.epochs", INT, "2", Expect.intIn(1, 1_000), LOW,
                    "Passes over the training window per fine-tune.")
            .define("retrain.window.buckets", INT, "120", Expect.intIn(2, 100_000), LOW,
                    "Buckets of history the trainer keeps per series; more than `retrain.eval.buckets`.")
            .define("retrain.max.series", INT, "100000", Expect.intIn(1, 100_000_000), LOW,
                    "Series the trainer keeps; beyond it the least recently updated are dropped.")
            .define("retrain.scratch.every.buckets", INT, "90", Expect.intIn(0, 1_000_000), LOW,
                    "Closed buckets between two trainings from scratch; `0`: never.")
            // Training must leave the cores to the stream threads.
            .define("retrain.threads", INT, "1", Expect.intIn(1, 256), LOW,
                    "TensorFlow threads of the trainer.");

    private AppConfigDef() {
    }

    /** What {@code key} accepts, in the words of its refusal. */
    static String expected(String key) {
        ConfigDef.ConfigKey k = DEFINITION.configKeys().get(key);
        return k.validator == null ? "a " + k.type.name().toLowerCase(java.util.Locale.ROOT) : k.validator.toString();
    }
}
