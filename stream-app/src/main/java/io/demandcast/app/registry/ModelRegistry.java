package io.demandcast.app.registry;

import io.demandcast.app.config.AppConfig;
import io.demandcast.model.lstm.ModelCard;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.ModelRelease;
import io.demandcast.schemas.registry.AvroSerdes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry on the compacted models topic. Every release is kept under {@code <name>@<version>}, and
 * the current champion under {@code <name>}; both are written in one transaction, so a reader that reads
 * committed records never sees one without the other. A release carries its SavedModel zipped, or, when the
 * record would exceed the topic's {@code max.message.bytes}, the URI of the zip written to
 * {@code model.shared.dir}.
 */
public final class ModelRegistry implements AutoCloseable {

    /** Between the model name and the version in the key of a kept release. */
    public static final String VERSION_SEPARATOR = "@";

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    // Record batch and header overhead on top of key and value, with room to spare.
    private static final int RECORD_OVERHEAD = 1024;

    private final Map<String, Object> client;
    private final String bootstrapServers;
    private final Topics.Topic<String, ModelRelease> topic;
    private final AppConfig.Models settings;
    private KafkaProducer<String, ModelRelease> producer;
    private long maxRecordBytes = -1;

    public ModelRegistry(String bootstrapServers, Topics.Topic<String, ModelRelease> topic,
                         AppConfig.Models settings) {
        this(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                Objects.requireNonNull(bootstrapServers, "bootstrapServers")), topic, settings);
    }

    /** @param client the broker's address and security settings ({@link AppConfig#kafkaClientProperties()}) */
    public ModelRegistry(Map<String, Object> client, Topics.Topic<String, ModelRelease> topic,
                         AppConfig.Models settings) {
        this.client = Map.copyOf(client);
        this.bootstrapServers = String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        this.topic = Objects.requireNonNull(topic, "topic");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The registry of the app's configuration: its broker, models topic, model name and folders. */
    public static ModelRegistry of(AppConfig config) {
        return new ModelRegistry(config.kafkaClientProperties(), topics(config).models(), config.models());
    }

    /** The app's topics with Schema Registry serdes, as the stream app makes them. */
    public static Topics topics(AppConfig config) {
        return new Topics(config.topicNames(), new AvroSerdes(config.serdeConfig()));
    }

    public static String championKey(String modelName) {
        return modelName;
    }

    public static String releaseKey(String modelName, String version) {
        return modelName + VERSION_SEPARATOR + version;
    }

    public String modelName() {
        return settings.name();
    }

    public Topics.Topic<String, ModelRelease> topic() {
        return topic;
    }

    /** Creates the models topic (one partition, compacted) unless it exists. */
    public void ensureTopic() {
        try (Admin admin = admin()) {
            NewTopic t = new NewTopic(topic.name(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(t)).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            LOG.info("created the models topic {} (compacted)", topic.name());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new RegistryException("cannot create the models topic " + topic.name() + " on "
                        + bootstrapServers + ": " + e.getCause(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new RegistryException("the broker at " + bootstrapServers + " did not create " + topic.name()
                    + " within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while creating " + topic.name(), e);
        }
    }

    /**
     * Publishes the SavedModel in {@code savedModelDir} (with its model card) as the new champion.
     *
     * @param metrics scores of the release on held-out buckets, e.g. {@code lstm.mase}, {@code champion.mase}
     * @return the release as written
     */
    public synchronized ModelRelease publish(Path savedModelDir, Map<String, Double> metrics) throws IOException {
        ModelCard card = ModelCard.read(savedModelDir);
        byte[] zip = ModelArchive.zip(savedModelDir);
        Instant now = Instant.now();
        ModelRelease.Builder b = ModelRelease.newBuilder()
                .setModelName(settings.name())
                .setVersion(card.version())
                .setParentVersion(card.parent())
                .setCreated(card.created())
                .setTrainingFrom(card.trainingFrom() == null ? card.created() : card.trainingFrom())
                .setTrainingTo(card.trainingTo() == null ? card.created() : card.trainingTo())
                .setMetrics(new LinkedHashMap<>(metrics))
                .setModelCardJson(card.toJson())
                .setSavedModelZip(ByteBuffer.wrap(zip))
                .setSavedModelUri(null)
                .setPromotedAt(now);
        ModelRelease release = b.build();
        String key = releaseKey(settings.name(), card.version());
        long size = topic.valueSerde().serializer().serialize(topic.name(), release).length
                + key.getBytes(StandardCharsets.UTF_8).length + RECORD_OVERHEAD;
        long limit = maxRecordBytes();
        if (size > limit) {
            Path file = writeShared(key, zip);
            release = b.setSavedModelZip(null).setSavedModelUri(file.toUri().toString()).build();
            LOG.info("release {}: {} bytes exceed the {} bytes {} takes; the zip is at {}", card.version(), size,
                    limit, topic.name(), file);
        }
        send(release);
        LOG.info("published model {} (parent {}) as the champion {} on {}", card.version(), card.parent(),
                settings.name(), topic.name());
        return release;
    }

    /**
     * Makes an earlier release the champion again (a rollback): it is re-published with a new promotion time,
     * and every follower swaps to it.
     *
     * @throws RegistryException when no release of that version is on the topic
     */
    public synchronized ModelRelease promote(String version) {
        Releases all = releases();
        ModelRelease kept = all.version(version).orElseThrow(() -> new RegistryException("no release "
                + version + " of model " + settings.name() + " on " + topic.name() + "; releases: "
                + all.all().stream().map(ModelRelease::getVersion).toList()));
        ModelRelease again = ModelRelease.newBuilder(kept).setPromotedAt(Instant.now()).build();
        send(again);
        LOG.info("promoted model {} of {} again (was {})", version, settings.name(),
                all.current().map(ModelRelease::getVersion).orElse("none"));
        return again;
    }

    /** Reads the models topic from the beginning to its end (committed records): every release and the champion. */
    public Releases releases() {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // A release may be near the topic's max.message.bytes; fetch it whole.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 << 20);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
        ModelRelease current = null;
        Map<String, ModelRelease> byVersion = new LinkedHashMap<>();
        try (KafkaConsumer<String, ModelRelease> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new RegistryException("reading " + topic.name() + " to its end " + end + " took over "
                            + TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, ModelRelease> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null || r.key() == null) {
                        continue;
                    }
                    if (r.key().equals(championKey(settings.name()))) {
                        current = r.value();
                    } else if (r.key().startsWith(settings.name() + VERSION_SEPARATOR)) {
                        byVersion.put(r.value().getVersion(), r.value());
                    }
                }
            }
        }
        List<ModelRelease> all = new ArrayList<>(byVersion.values());
        all.sort(Comparator.comparing(ModelRelease::getCreated).thenComparing(ModelRelease::getVersion));
        return new Releases(settings.name(), all, Optional.ofNullable(current));
    }

    /** The zipped SavedModel of a release: from the record, or read from its URI. */
    public static InputStream savedModel(ModelRelease release) throws IOException {
        if (release.getSavedModelZip() != null) {
            ByteBuffer b = release.getSavedModelZip().duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return new java.io.ByteArrayInputStream(bytes);
        }
        String uri = release.getSavedModelUri();
        if (uri == null) {
            throw new IOException("release " + release.getVersion() + " has neither the zipped SavedModel nor a URI");
        }
        URI u = URI.create(uri);
        if (!"file".equals(u.getScheme())) {
            throw new IOException("release " + release.getVersion() + ": only file: URIs are supported, got " + uri);
        }
        return Files.newInputStream(Path.of(u));
    }

    static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer) {
        var infos = consumer.partitionsFor(topic.name(), TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new RegistryException("no topic " + topic.name() + " on " + bootstrapServers
                    + " (topic.models); `forecaster run` creates it");
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /** The most bytes one record may have on the models topic: its max.message.bytes. */
    synchronized long maxRecordBytes() {
        if (maxRecordBytes < 0) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
            try (Admin admin = admin()) {
                Config config = admin.describeConfigs(List.of(resource)).all()
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(resource);
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                maxRecordBytes = Long.parseLong(entry.value());
            } catch (ExecutionException | TimeoutException e) {
                throw new RegistryException("cannot read max.message.bytes of " + topic.name() + " on "
                        + bootstrapServers + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while reading the config of " + topic.name(), e);
            }
        }
        return maxRecordBytes;
    }

    private Path writeShared(String key, byte[] zip) throws IOException {
        Path dir = settings.sharedDir().toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve(key + ".zip");
        Path tmp = Files.createTempFile(dir, key, ".zip.tmp");
        Files.write(tmp, zip);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private void send(ModelRelease release) {
        KafkaProducer<String, ModelRelease> p = producer();
        try {
            p.beginTransaction();
            p.send(new ProducerRecord<>(topic.name(), releaseKey(release.getModelName(), release.getVersion()),
                    release));
            p.send(new ProducerRecord<>(topic.name(), championKey(release.getModelName()), release));
            p.commitTransaction();
        } catch (KafkaException e) {
            closeProducer();
            throw new RegistryException("cannot publish release " + release.getVersion() + " to " + topic.name()
                    + " on " + bootstrapServers + ": " + e, e);
        }
    }

    private KafkaProducer<String, ModelRelease> producer() {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(client);
            // Each publisher its own id: the trainer and an operator's `models promote` must not fence each other.
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "demandcast-models-" + settings.name() + "-"
                    + UUID.randomUUID());
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                    maxRecordBytes() + RECORD_OVERHEAD));
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
            KafkaProducer<String, ModelRelease> p = new KafkaProducer<>(props, new StringSerializer(),
                    topic.valueSerde().serializer());
            try {
                p.initTransactions();
            } catch (KafkaException e) {
                p.close(Duration.ZERO);
                throw new RegistryException("cannot start a transactional producer on " + bootstrapServers + ": "
                        + e, e);
            }
            producer = p;
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    private Admin admin() {
        return Admin.create(client);
    }

    @Override
    public synchronized void close() {
        closeProducer();
    }
}
