package io.demandcast.app.replay;

import io.demandcast.app.alerts.InventoryFile;
import io.demandcast.app.cli.CommandFailure;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.run.AppConfigOptions;
import io.demandcast.app.run.Preflight;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code forecaster produce}: replays an Online Retail order-lines file into {@code orders}, or sends a stock file to
 * {@code inventory} ({@code --inventory}).
 */
@Command(name = "produce",
        description = "Replay an Online Retail order-lines file (CSV or gzipped CSV) into the orders topic as "
                + "OrderEvents: one record per invoice, key = invoice number, record timestamp = event time. "
                + "As fast as possible unless --speedup or --max-rate. With --inventory FILE, sends stock levels to "
                + "the inventory topic instead.")
public final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AppConfigOptions options;

    @Option(names = "--data", paramLabel = "FILE",
            description = "The order-lines file, e.g. data/online_retail/order_lines.csv.gz.")
    Path data;

    @Option(names = "--inventory", paramLabel = "FILE",
            description = "Instead of orders, send stock levels to the inventory topic: a CSV or gzipped CSV with "
                    + "the columns " + InventoryFile.HEADER + ", one InventoryLevel per row, key = product id, "
                    + "updatedAt = now.")
    Path inventory;

    @Option(names = "--speedup", paramLabel = "X",
            description = "Replay event time X times faster than real time (86400: a day per second).")
    Double speedup;

    @Option(names = "--max-rate", paramLabel = "N", description = "At most N records per second.")
    Double maxRate;

    @Option(names = "--limit", paramLabel = "N", description = "Send at most N records.")
    Long limit;

    @Option(names = "--from", paramLabel = "DATE",
            description = "Skip orders before this date (yyyy-MM-dd, in --zone).")
    LocalDate from;

    @Option(names = "--to", paramLabel = "DATE",
            description = "Stop at the first order on or after this date (yyyy-MM-dd, in --zone; exclusive).")
    LocalDate to;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Europe/London",
            description = "Time zone of the file's invoice times (default: ${DEFAULT-VALUE}).")
    ZoneId zone;

    @Option(names = "--topic", paramLabel = "TOPIC",
            description = "Topic to write (default: topic.orders of the config, else orders).")
    String topic;

    @Option(names = "--no-progress", description = "No progress line on stderr.")
    boolean noProgress;

    @Override
    public Integer call() {
        quietKafkaClientLogs();
        if ((data == null) == (inventory == null)) {
            throw new CommandFailure("expected one of --data FILE (orders) or --inventory FILE (stock levels)");
        }
        AppConfig config = options.load();
        if (inventory != null) {
            return sendInventory(config);
        }
        OrderReplay.Settings settings;
        try {
            settings = new OrderReplay.Settings(speedup == null ? 0 : speedup, maxRate == null ? 0 : maxRate,
                    limit == null ? 0 : limit, from == null ? null : from.atStartOfDay(zone).toInstant(),
                    to == null ? null : to.atStartOfDay(zone).toInstant());
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage() + " (--speedup, --max-rate, --limit, --from, --to)");
        }
        String target = topic != null ? topic : config.topicNames().orders();
        Preflight.checkServers(config, Preflight.COMMAND_TIMEOUT);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OrderReplay.Summary summary;
        try {
            summary = sendOrders(config, data, zone, target, settings, null, noProgress ? null : err);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CommandFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandFailure("cannot read " + data + ": " + e.getMessage(), e);
        } catch (SchemaRegistryException | OrderReplay.ReplayException e) {
            throw new CommandFailure(e.getMessage() + Preflight.accessHint(config, e), e);
        }
        out.println(summary(summary, target));
        out.flush();
        return 0;
    }

    /**
     * Sends the orders of an order-lines file to {@code topic}, as {@code produce --data} does and the demo too:
     * read by {@link OrderLinesFile}, sent by {@link OrderReplay} through {@link #producer(AppConfig)}, then flushed.
     *
     * @param already  what the topic already holds of the file, left out (null: send every order)
     * @param progress where the progress line goes (null: none)
     */
    public static OrderReplay.Summary sendOrders(AppConfig config, Path data, ZoneId zone, String topic,
                                                 OrderReplay.Settings settings, OrdersOnTopic already,
                                                 PrintWriter progress) throws IOException {
        ProgressLine line = progress == null ? null : new ProgressLine(progress, System.console() != null);
        try (OrderLinesFile file = OrderLinesFile.open(data, zone);
             Producer<String, OrderEvent> producer = producer(config)) {
            return OrderReplay.run(already == null ? file : already.missing(file), producer, topic, settings,
                    line == null ? OrderReplay.Progress.NONE : line);
        } finally {
            if (line != null) {
                line.finish();
            }
        }
    }

    private int sendInventory(AppConfig config) {
        String target = topic != null ? topic : config.topicNames().inventory();
        Instant now = Instant.now();
        List<InventoryLevel> levels;
        try {
            levels = InventoryFile.read(inventory, now);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandFailure("cannot read " + inventory + ": " + e.getMessage(), e);
        }
        long start = System.nanoTime();
        try (Producer<String, InventoryLevel> producer = producer(config, InventoryLevel.class)) {
            for (InventoryLevel level : levels) {
                producer.send(new ProducerRecord<>(target, level.getProductId().toString(), level));
            }
            producer.flush();
        } catch (SchemaRegistryException | KafkaException e) {
            throw new CommandFailure("cannot send stock levels to " + target + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(String.format(Locale.ROOT, "Sent %,d stock levels to %s (updatedAt %s) in %.1f s.",
                levels.size(), target, now, (System.nanoTime() - start) / 1e9));
        out.flush();
        return 0;
    }

    static String summary(OrderReplay.Summary s, String topic) {
        String range = s.firstEvent() == null ? "no orders" : "event time " + s.firstEvent() + " .. " + s.lastEvent();
        return String.format(Locale.ROOT, "Sent %,d orders to %s (%s) in %.1f s, %,.0f orders/s%s.", s.sent(), topic,
                range, s.elapsed().toNanos() / 1e9, s.rate(),
                s.skipped() == 0 ? "" : String.format(Locale.ROOT, "; skipped %,d before --from", s.skipped()));
    }

    /** The idempotent OrderEvent producer of {@code produce}, with the broker security of {@code config}. */
    public static Producer<String, OrderEvent> producer(AppConfig config) {
        return producer(config, OrderEvent.class);
    }

    /** An idempotent producer of {@code type} values with the registry's serializer and the broker security. */
    public static <V extends SpecificRecord> Producer<String, V> producer(AppConfig config, Class<V> type) {
        Map<String, Object> props = config.kafkaClientProperties();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // One request in flight: the topic may have been created a moment ago (the demo's is), and a broker that
        // has not applied the creation yet fails the first request while it appends the next, whose sequence
        // numbers then fail the first one's retries until its records expire (KAFKA-15591).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        AvroSerdes serdes = new AvroSerdes(ForecasterApp.serdeConfig(config));
        return new KafkaProducer<>(props, new StringSerializer(), serdes.forValue(type).serializer());
    }

    static void quietKafkaClientLogs() {
        String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "warn");
        }
    }

    /**
     * Orders, rate and event time on stderr: on a terminal one line redrawn at most four times a second; into a file
     * or a pipe (a log) a plain line every ten seconds, without the carriage returns that garble a log. Both end with
     * a last line.
     */
    static final class ProgressLine implements OrderReplay.Progress {
        private static final long EVERY_NANOS_ON_TERMINAL = 250_000_000L;
        private static final long EVERY_NANOS_IN_LOG = 10_000_000_000L;
        private final PrintWriter err;
        private final boolean terminal;
        private long lastDraw;
        private boolean drawn;
        private long count;
        private Instant eventTime;
        private Duration elapsed;

        ProgressLine(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void sent(long count, Instant eventTime, Duration elapsed) {
            this.count = count;
            this.eventTime = eventTime;
            this.elapsed = elapsed;
            long now = System.nanoTime();
            if (!drawn || now - lastDraw >= (terminal ? EVERY_NANOS_ON_TERMINAL : EVERY_NANOS_IN_LOG)) {
                lastDraw = now;
                draw();
            }
        }

        private void draw() {
            double seconds = elapsed.toNanos() / 1e9;
            String line = String.format(Locale.ROOT, "%,12d orders  %,9.0f/s  event time %s", count,
                    seconds <= 0 ? 0 : count / seconds, eventTime);
            if (terminal) {
                err.print("\r" + line + "  ");
            } else {
                err.println(line);
            }
            err.flush();
            drawn = true;
        }

        void finish() {
            if (count > 0) {
                draw();
                if (terminal) {
                    err.println();
                }
                err.flush();
            }
        }
    }
}
