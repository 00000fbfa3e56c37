package io.demandcast.app.tail;

import io.demandcast.app.cli.CommandFailure;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.run.AppConfigOptions;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.Preflight;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.registry.SchemaRegistryClient;
import io.demandcast.schemas.registry.SchemaRegistryException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code forecaster tail}: prints a topic as JSON lines. */
@Command(name = "tail",
        description = "Print a topic's records as JSON lines, values decoded through the schema registry "
                + "(timestamps as ISO-8601 instants). Reads committed records only. TOPIC is a topic name or one "
                + "of the app's names: orders, orders-dlq, inventory, sales-actuals, forecasts, restock-alerts, "
                + "forecaster-models (mapped through the config's topic.* keys).")
public final class TailCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AppConfigOptions options;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic to print.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the topic's first record (default: only new ones).")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
            description = "Stop after N records (default: no limit).")
    long max;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS",
            description = "Stop when no record came for this many seconds (default: wait for ever).")
    Double idleTimeoutSeconds;

    @Override
    public Integer call() {
        quietKafkaClientLogs();
        AppConfig config = options.load();
        String name = resolve(topic, config.topicNames());
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> props = config.kafkaClientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        // Reading must never create a topic (a typo would make an empty one and wait on it for ever).
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        Duration idle = idleTimeoutSeconds == null ? null
                : Duration.ofMillis(Math.round(idleTimeoutSeconds * 1000));
        if (max < 0 || (idle != null && idle.isNegative())) {
            throw new CommandFailure("--max and --idle-timeout must be >= 0; got " + max + " and "
                    + idleTimeoutSeconds);
        }
        Preflight.checkServers(config, Preflight.COMMAND_TIMEOUT);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicTail tail = new TopicTail(consumer, new RegistryDecoder(
                    new SchemaRegistryClient(ForecasterApp.serdeConfig(config))));
            Thread main = Thread.currentThread();
            Thread hook = new Thread(consumer::wakeup, "tail-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                tail.run(new TopicTail.Settings(name, fromBeginning, max, idle), line -> {
                    out.println(line);
                    out.flush();
                }, main::isInterrupted);
            } finally {
                removeHook(hook);
            }
        } catch (IllegalArgumentException | SchemaRegistryException | org.apache.kafka.common.KafkaException e) {
            throw new CommandFailure(e.getMessage() + Preflight.accessHint(config, e), e);
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (Ctrl-C): the hook has run.
            return;
        }
    }

    /** The app's name for a topic (orders, forecasts, ...) as configured; any other name as it is. */
    static String resolve(String topic, Topics.Names names) {
        Map<String, String> byAppName = new LinkedHashMap<>();
        Topics.Names defaults = Topics.Names.defaults();
        byAppName.put(defaults.orders(), names.orders());
        byAppName.put(defaults.ordersDlq(), names.ordersDlq());
        byAppName.put(defaults.inventory(), names.inventory());
        byAppName.put(defaults.salesActuals(), names.salesActuals());
        byAppName.put(defaults.forecasts(), names.forecasts());
        byAppName.put(defaults.restockAlerts(), names.restockAlerts());
        byAppName.put(defaults.models(), names.models());
        return byAppName.getOrDefault(topic, topic);
    }

    static void quietKafkaClientLogs() {
        String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "warn");
        }
    }
}
