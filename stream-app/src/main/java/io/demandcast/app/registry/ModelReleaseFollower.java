package io.demandcast.app.registry;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.model.lstm.LstmModel;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.ModelRelease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the champion of the models topic: one background consumer (not a Kafka Streams one) reads the topic
 * from the beginning, committed records only, and each time the champion key gets a release of another version
 * it unzips it into {@code model.cache.dir}, loads it and swaps it into the {@link ModelSlot}; cycles running on
 * the old model finish on it, and the slot closes it after them. At start only the last champion on the topic is
 * loaded, so a restarted instance serves the latest release. A release that cannot be loaded is logged with its
 * offset and skipped: the model in service stays.
 */
public final class ModelReleaseFollower implements AutoCloseable {

    /** The release in service and the folder it was loaded from (the trainer loads its own copy from there). */
    public record Champion(ModelRelease release, Path dir) {
        public String version() {
            return release.getVersion();
        }
    }

    /** Loads a model folder; {@code LstmModel::load} in the app. */
    @FunctionalInterface
    public interface Loader {
        LstmModel load(Path dir) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ModelReleaseFollower.class);
    private static final Duration POLL = Duration.ofMillis(250);
    /** Model folders kept in {@code model.cache.dir} beside the one in service. */
    static final int KEPT_IN_CACHE = 2;

    private final Map<String, Object> client;
    private final String bootstrapServers;
    private final Topics.Topic<String, ModelRelease> topic;
    private final AppConfig.Models settings;
    private final ModelSlot slot;
    private final Loader loader;
    private final AtomicReference<Champion> champion = new AtomicReference<>();
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong failedLoads = new AtomicLong();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, ModelRelease> consumer;

    private ModelReleaseFollower(Map<String, Object> client, Topics.Topic<String, ModelRelease> topic,
                                 AppConfig.Models settings, ModelSlot slot, Loader loader) {
        this.client = Map.copyOf(client);
        this.bootstrapServers = String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        this.topic = Objects.requireNonNull(topic, "topic");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.slot = Objects.requireNonNull(slot, "slot");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.thread = new Thread(this::follow, "model-release-follower-" + settings.name());
        this.thread.setDaemon(true);
    }

    /**
     * Starts following the models topic of {@code config} into {@code slot}. Returns at once; see
     * {@link #awaitCaughtUp(Duration)} to wait for the latest release before serving.
     */
    public static ModelReleaseFollower start(AppConfig config, ModelSlot slot) {
        int threads = config.servingThreads();
        return start(config.kafkaClientProperties(), ModelRegistry.topics(config).models(), config.models(), slot,
                dir -> LstmModel.load(dir, LstmModel.DEFAULT_BATCH, threads));
    }

    public static ModelReleaseFollower start(String bootstrapServers, Topics.Topic<String, ModelRelease> topic,
                                             AppConfig.Models settings, ModelSlot slot, Loader loader) {
        return start(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                Objects.requireNonNull(bootstrapServers, "bootstrapServers")), topic, settings, slot, loader);
    }

    /** @param client the broker's address and security settings ({@link AppConfig#kafkaClientProperties()}) */
    public static ModelReleaseFollower start(Map<String, Object> client, Topics.Topic<String, ModelRelease> topic,
                                             AppConfig.Models settings, ModelSlot slot, Loader loader) {
        ModelReleaseFollower f = new ModelReleaseFollower(client, topic, settings, slot, loader);
        f.thread.start();
        return f;
    }

    /**
     * Waits until the topic has been read to the end it had at start and its champion, if any, is in service.
     * @return false when that took longer than {@code timeout}
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The release in service, if any. */
    public Optional<Champion> champion() {
        return Optional.ofNullable(champion.get());
    }

    /** Releases swapped into the slot so far. */
    public long swaps() {
        return swaps.get();
    }

    /** Releases that could not be loaded (the model in service stayed). */
    public long failedLoads() {
        return failedLoads.get();
    }

    private void follow() {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // A release may be near the topic's max.message.bytes; the consumer must fetch it whole.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
        try (KafkaConsumer<String, ModelRelease> c = new KafkaConsumer<>(props, new StringDeserializer(),
                topic.valueSerde().deserializer())) {
            consumer = c;
            List<TopicPartition> partitions = awaitPartitions(c);
            if (partitions.isEmpty()) {
                return;
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            boolean initial = true;
            ConsumerRecord<String, ModelRelease> pending = null;
            String key = ModelRegistry.championKey(settings.name());
            while (running) {
                for (ConsumerRecord<String, ModelRelease> r : c.poll(POLL)) {
                    if (key.equals(r.key()) && r.value() != null) {
                        pending = r;
                    }
                }
                // While catching up only the last champion matters: load once, not every past release.
                if (initial && !ModelRegistry.caughtUp(c, end)) {
                    continue;
                }
                if (pending != null) {
                    apply(pending);
                    pending = null;
                }
                if (initial) {
                    initial = false;
                    LOG.info("models topic {} read to its end: serving {}", topic.name(),
                            champion().map(Champion::version).orElse("no model (fallback)"));
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("the model release follower of {} stopped; the model in service ({}) stays", topic.name(),
                    slot.version(), e);
        } finally {
            consumer = null;
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, ModelRelease> c) {
        boolean warned = false;
        while (running) {
            var infos = c.partitionsFor(topic.name(), Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (!warned) {
                LOG.warn("no models topic {} on {} yet; waiting for it", topic.name(), bootstrapServers);
                warned = true;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    private void apply(ConsumerRecord<String, ModelRelease> record) {
        ModelRelease release = record.value();
        String version = release.getVersion();
        Champion now = champion.get();
        if (now != null && now.version().equals(version)) {
            return;
        }
        String where = record.topic() + "/" + record.partition() + "@" + record.offset();
        try {
            Path dir = materialize(release, where);
            LstmModel model = loader.load(dir);
            if (!model.version().equals(version)) {
                String loaded = model.version();
                model.close();
                throw new IOException("the SavedModel of release " + version + " holds model " + loaded);
            }
            // The champion first: whoever sees the new version in the slot finds its folder here.
            champion.set(new Champion(release, dir));
            slot.swap(model, version, model);
            swaps.incrementAndGet();
            LOG.info("swapped to model {} (parent {}, promoted {}) from {}", version, release.getParentVersion(),
                    release.getPromotedAt(), where);
            pruneCache(settings.cacheDir().toAbsolutePath(), settings.name(), dir, KEPT_IN_CACHE,
                    System.currentTimeMillis());
        } catch (IOException | RuntimeException e) {
            failedLoads.incrementAndGet();
            LOG.error("cannot load release {} from {}; still serving {}", version, where, slot.version(), e);
        }
    }

    /**
     * Bounds the cache: keeps the folder in service and the {@code keep} most recently written other folders of
     * model {@code name} (another instance sharing the cache may be serving or loading one of them), and deletes
     * the older ones, and unzip or candidate folders left by a killed process an hour or more ago. Each instance
     * loads a release into memory, so deleting a folder never touches a model in service elsewhere.
     */
    static void pruneCache(Path cache, String name, Path inService, int keep, long now) {
        String prefix = name + ModelRegistry.VERSION_SEPARATOR;
        List<Path> versions;
        List<Path> leftovers;
        try (Stream<Path> list = Files.list(cache)) {
            List<Path> all = list.filter(Files::isDirectory).toList();
            versions = all.stream().filter(p -> p.getFileName().toString().startsWith(prefix))
                    .filter(p -> !p.equals(inService))
                    .sorted(Comparator.comparingLong(ModelReleaseFollower::modified).reversed()).toList();
            leftovers = all.stream().filter(p -> p.getFileName().toString().startsWith(".unzip-")
                    || p.getFileName().toString().startsWith(".candidate-"))
                    .filter(p -> now - modified(p) >= Duration.ofHours(1).toMillis()).toList();
        } catch (IOException e) {
            LOG.warn("cannot list the model cache {}; not pruned", cache, e);
            return;
        }
        for (Path p : versions.subList(Math.min(keep, versions.size()), versions.size())) {
            deleteQuietly(p);
        }
        leftovers.forEach(ModelReleaseFollower::deleteQuietly);
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
            LOG.info("model cache: deleted {}", dir);
        } catch (IOException e) {
            LOG.warn("model cache: cannot delete {}", dir, e);
        }
    }

    /** Unzips a release into the cache once; an earlier unzip of the same version is reused. */
    private Path materialize(ModelRelease release, String where) throws IOException {
        Path cache = settings.cacheDir().toAbsolutePath();
        Path dir = cache.resolve(settings.name() + ModelRegistry.VERSION_SEPARATOR + release.getVersion());
        if (Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            return dir;
        }
        Files.createDirectories(cache);
        Path tmp = Files.createTempDirectory(cache, ".unzip-");
        try (InputStream in = ModelRegistry.savedModel(release)) {
            ModelArchive.unzip(in, tmp, where + (release.getSavedModelUri() == null ? ""
                    : " (" + release.getSavedModelUri() + ")"));
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                // Another instance sharing the cache unzipped it meanwhile.
                if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
                    throw e;
                }
            }
        } finally {
            deleteTree(tmp);
        }
        return dir;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Stops following; the model in service stays in the slot (its owner closes the slot). */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, ModelRelease> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
