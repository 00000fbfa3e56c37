package io.demandcast.app.bench;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code bench soak}: the app in a child JVM ({@code forecaster run}, as operators run it) fed orders at a live
 * rate for a long time, with days compressed in time (a day of orders every {@code secondsPerDay}), sampled every
 * {@code sampleEvery}: resident memory, the heap live after a full GC (jcmd), the state directory's size and the
 * intake's lag on {@code orders}. A leak shows as growth that does not level off: {@link Trend} compares the growth
 * of the last third of the samples with that of the first.
 *
 * <p>Event times run in the past and move faster than the wall clock (a bucket closes only once the wall clock
 * has passed it), starting as many days back as the soak will cover.
 */
public final class SoakBench {

    /** How long, how fast and how big. */
    public record Settings(Duration length, int products, int ordersPerDay, int linesPerOrder, Duration perDay,
                           Duration sampleEvery, List<String> jvmOptions, long seed) {
        public Settings {
            if (length.isNegative() || length.isZero() || perDay.isNegative() || perDay.isZero()
                    || sampleEvery.isNegative() || sampleEvery.isZero()) {
                throw new IllegalArgumentException("soak length, time per day and sample interval must be > 0");
            }
        }

        /** Days of orders the soak sends: one every {@code perDay}, plus one so the last day closes. */
        int days() {
            return (int) (length.toMillis() / perDay.toMillis()) + 1;
        }
    }

    /** One sample: seconds since the start, what the child holds, and how far the intake is behind. */
    public record Sample(double seconds, long ordersSent, long rssKb, long liveHeapKb, long stateBytes, long lag) {
    }

    /** How one measure moved: first and last sample, growth over the first and last third, and the verdict. */
    public record Trend(String measure, long first, long last, long growthFirstThird, long growthLastThird,
                        boolean levelsOff) {

        /**
         * Levels off when the last third grew less than a quarter of what the first third grew, or less than 5% of
         * the last value (noise around a flat line).
         */
        static Trend of(String measure, List<Long> values) {
            int n = values.size();
            int third = Math.max(1, n / 3);
            long firstGrowth = values.get(Math.min(third, n - 1)) - values.get(0);
            long lastGrowth = values.get(n - 1) - values.get(Math.max(0, n - 1 - third));
            long last = values.get(n - 1);
            boolean flat = lastGrowth <= Math.max(firstGrowth / 4, (long) (0.05 * Math.abs(last)));
            return new Trend(measure, values.get(0), last, firstGrowth, lastGrowth, flat);
        }
    }

    public record Result(Map<String, Object> settings, List<Sample> samples, List<Trend> trends, long ordersSent,
                         long finalLag, boolean childAlive) {
    }

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    private final BenchCluster cluster;
    private final Settings settings;
    private final Path workDir;
    private final PrintWriter log;

    public SoakBench(BenchCluster cluster, Settings settings, Path workDir, PrintWriter log) {
        this.cluster = cluster;
        this.settings = settings;
        this.workDir = workDir;
        this.log = log;
    }

    public Result run() throws IOException, InterruptedException {
        int days = settings.days();
        Instant firstDay = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(days + 2L));
        SyntheticOrders orders = new SyntheticOrders(settings.products(), days, settings.ordersPerDay(),
                settings.linesPerOrder(), settings.seed(), firstDay);
        String appId = cluster.name("soak");
        Map<String, String> props = appProperties(appId);
        String ordersTopic = props.get("topic.orders");
        cluster.createTopics(1, ordersTopic);
        Path config = workDir.resolve(appId + ".properties");
        Properties p = new Properties();
        p.putAll(props);
        try (Writer w = Files.newBufferedWriter(config)) {
            p.store(w, "bench soak");
        }
        Path childLog = workDir.resolve(appId + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(settings.jvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.demandcast.app.cli.ForecasterCli",
                "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog.toFile());
        pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "1");
        Process child = pb.start();
        log.printf("soak: app %s (pid %d, log %s), %d products, %d orders a day, a day every %s, for %s%n", appId,
                child.pid(), childLog, settings.products(), settings.ordersPerDay(), settings.perDay(),
                settings.length());
        log.printf("  %8s %12s %10s %12s %12s %10s%n", "seconds", "orders sent", "RSS MB", "live heap MB",
                "state MB", "lag");
        log.flush();

        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        long start = System.nanoTime();
        Thread producer = new Thread(() -> {
            try {
                produce(orders, firstDay, ordersTopic, start, sent, stop);
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "soak-producer");
        producer.setDaemon(true);
        List<Sample> samples = new ArrayList<>();
        Path stateDir = Path.of(props.get("state.dir"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers()))) {
            producer.start();
            long end = start + settings.length().toNanos();
            long next = start + settings.sampleEvery().toNanos();
            while (System.nanoTime() < end && child.isAlive() && failed.get() == null) {
                long wait = Math.min(next, end) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += settings.sampleEvery().toNanos();
                Sample s = sample(child.pid(), start, sent.get(), stateDir, admin, appId, ordersTopic);
                samples.add(s);
                log.printf("  %8.0f %,12d %,10d %,12d %,12.1f %,10d%n", s.seconds(), s.ordersSent(),
                        s.rssKb() / 1024, s.liveHeapKb() / 1024, s.stateBytes() / 1e6, s.lag());
                log.flush();
            }
            stop.set(true);
            producer.join(30_000);
            // The last orders have been sent: the intake must catch up (no growing backlog at the end).
            long lag = lag(admin, appId, ordersTopic);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lag > 0 && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                lag = lag(admin, appId, ordersTopic);
            }
            boolean alive = child.isAlive();
            if (failed.get() != null) {
                throw new IllegalStateException("the soak's producer failed: " + failed.get(), failed.get());
            }
            if (!alive) {
                List<String> lines = Files.readAllLines(childLog, StandardCharsets.UTF_8);
                log.printf("soak: the app exited with %d; its log ends with:%n%s%n", child.exitValue(),
                        String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
            }
            List<Trend> trends = samples.size() < 3 ? List.of() : List.of(
                    Trend.of("rss_kb", samples.stream().map(Sample::rssKb).toList()),
                    Trend.of("live_heap_kb", samples.stream().map(Sample::liveHeapKb).toList()),
                    Trend.of("state_bytes", samples.stream().map(Sample::stateBytes).toList()),
                    Trend.of("lag", samples.stream().map(Sample::lag).toList()));
            for (Trend t : trends) {
                log.printf("soak: %-13s %,d -> %,d; growth first third %,d, last third %,d: %s%n", t.measure(),
                        t.first(), t.last(), t.growthFirstThird(), t.growthLastThird(),
                        t.levelsOff() ? "levels off" : "STILL GROWING");
            }
            log.flush();
            Map<String, Object> described = new LinkedHashMap<>(orders.describe());
            described.put("secondsPerDay", settings.perDay().toMillis() / 1000.0);
            described.put("minutes", settings.length().toSeconds() / 60.0);
            described.put("jvmOptions", String.join(" ", settings.jvmOptions()));
            return new Result(described, samples, trends, sent.get(), lag, alive);
        } finally {
            child.destroy();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    private Map<String, String> appProperties(String appId) {
        Map<String, String> props = new HashMap<>();
        props.put("application.id", appId);
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("schema.registry.url", cluster.registryUrl());
        props.put("state.dir", workDir.resolve(appId + "-state").toString());
        props.put("rest.port", "0");
        props.put("topic.replication.factor", "1");
        props.put("topic.partitions", "1");
        props.put("bucket", "day");
        props.put("wallclock.close.interval", "PT1S");
        for (String t : List.of("orders", "orders.dlq", "inventory", "sales.actuals", "forecasts", "restock.alerts",
                "models")) {
            props.put("topic." + t, cluster.name(t.replace('.', '-')));
        }
        return props;
    }

    /** Sends the orders paced so that day d goes out {@code d * perDay} after the start. */
    private void produce(SyntheticOrders orders, Instant firstDay, String topic, long start, AtomicLong sent,
                         AtomicBoolean stop) {
        AvroSerdes serdes = new AvroSerdes(SerdeConfig.of(cluster.registryUrl()));
        try (KafkaProducer<String, OrderEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "20"),
                new StringSerializer(), serdes.forValue(OrderEvent.class).serializer())) {
            double nanosPerMs = (double) settings.perDay().toNanos() / DAY_MS;
            orders.forEach(o -> {
                long due = start + (long) ((o.getEventTime().toEpochMilli() - firstDay.toEpochMilli()) * nanosPerMs);
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && !stop.get()) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(200)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stop.set(true);
                    }
                }
                if (stop.get()) {
                    throw new IllegalStateException("stopped");
                }
                producer.send(new ProducerRecord<>(topic, null, o.getEventTime().toEpochMilli(), o.getOrderId(), o));
                sent.incrementAndGet();
            });
        } catch (IllegalStateException e) {
            if (!"stopped".equals(e.getMessage())) {
                throw e;
            }
        }
    }

    private Sample sample(long pid, long start, long ordersSent, Path stateDir, Admin admin, String appId,
                          String ordersTopic) {
        return new Sample((System.nanoTime() - start) / 1e9, ordersSent, rssKb(pid).orElse(-1L),
                liveHeapKb(pid).orElse(-1L), size(stateDir), lag(admin, appId, ordersTopic));
    }

    /** Resident set size of a process in kB, from /proc/PID/status (Linux only). */
    static Optional<Long> rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The heap in use right after a full GC, in kB: what the app holds on to. {@code jcmd PID GC.run}, then
     * {@code GC.heap_info}'s "used" of the whole heap.
     */
    static Optional<Long> liveHeapKb(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return Optional.empty();
        }
        try {
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            for (String line : run(jcmd.toString(), Long.toString(pid), "GC.heap_info").split("\n")) {
                var m = java.util.regex.Pattern.compile("heap\\s+total\\s+\\d+K,\\s+used\\s+(\\d+)K").matcher(line);
                if (m.find()) {
                    return Optional.of(Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    private static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // a RocksDB file compacted away between the listing and the size
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** Records on {@code orders} the app's group has not committed yet; -1 while it has no committed offset. */
    static long lag(Admin admin, String groupId, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        } catch (Exception e) {
            return -1;
        }
    }
}
