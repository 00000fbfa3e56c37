package io.demandcast.app.retrain;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.registry.ModelRegistry;
import io.demandcast.app.registry.ModelReleaseFollower;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.ModelRelease;
import io.demandcast.schemas.avro.SalesBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * The trainer role: off the stream threads, one consumer thread reads {@code sales-actuals} (committed records,
 * every partition, no consumer group) into a bounded {@link TrainingWindow}, and one training thread runs a
 * {@link RetrainCycle} every {@code retrain.every.buckets} closed buckets (a fine-tune of the champion) and every
 * {@code retrain.scratch.every.buckets} (a retraining from scratch, which takes the turn of a fine-tune). At most
 * one cycle runs at a time; the window keeps filling meanwhile, so ingest never waits on training. A bucket counts
 * as closed when the first record of a later bucket arrives, and a cycle trains on the buckets before the latest
 * one seen. While the role reads the history the topic held at start, it only fills the window.
 */
public final class RetrainingRole implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RetrainingRole.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration FOLLOWER_LAG = Duration.ofSeconds(60);

    private final Map<String, Object> client;
    private final String bootstrapServers;
    private final Topics.Topic<String, SalesBucket> actuals;
    private final AppConfig.Models settings;
    private final Supplier<Optional<ModelReleaseFollower.Champion>> champion;
    private final CandidateSource fineTune;
    private final CandidateSource scratch;
    private final ModelRegistry registry;
    private final RetrainCycle cycle;
    private final RetrainMetrics metrics;
    private final TrainingWindow window;
    private final Bucket bucket;
    private final ExecutorService trainer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, SalesBucket> consumer;
    private volatile RetrainCycle.Outcome lastOutcome;
    private final List<RetrainCycle.Outcome> outcomes = new CopyOnWriteArrayList<>();
    private volatile ModelRelease lastPublished;
    private volatile Instant idleAt;

    /**
     * @param registry where promotions are published; the role closes it
     * @param champion the release in service and its folder ({@link ModelReleaseFollower#champion()})
     * @param fineTune makes the fine-tuned candidates; {@link CandidateSource#fineTune} in the app
     * @param scratch makes the candidates trained from scratch; {@link CandidateSource#fromScratch} in the app
     */
    public RetrainingRole(String bootstrapServers, Topics.Topic<String, SalesBucket> actuals, Bucket bucket,
                          ModelRegistry registry, AppConfig.Models settings,
                          Supplier<Optional<ModelReleaseFollower.Champion>> champion, CandidateSource fineTune,
                          CandidateSource scratch) {
        this(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                Objects.requireNonNull(bootstrapServers, "bootstrapServers")), actuals, bucket, registry, settings,
                champion, fineTune, scratch);
    }

    /** @param client the broker's address and security settings ({@link AppConfig#kafkaClientProperties()}) */
    public RetrainingRole(Map<String, Object> client, Topics.Topic<String, SalesBucket> actuals, Bucket bucket,
                          ModelRegistry registry, AppConfig.Models settings,
                          Supplier<Optional<ModelReleaseFollower.Champion>> champion, CandidateSource fineTune,
                          CandidateSource scratch) {
        this.client = Map.copyOf(client);
        this.bootstrapServers = String.valueOf(client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        this.actuals = Objects.requireNonNull(actuals, "actuals");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.champion = Objects.requireNonNull(champion, "champion");
        this.fineTune = Objects.requireNonNull(fineTune, "fineTune");
        this.scratch = Objects.requireNonNull(scratch, "scratch");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.metrics = new RetrainMetrics();
        this.cycle = new RetrainCycle(registry::publish, settings, metrics);
        this.window = new TrainingWindow(bucket, settings.windowBuckets(), settings.maxSeries());
        this.trainer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "retrain-cycle");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        this.thread = new Thread(this::consume, "retrain-actuals");
        this.thread.setDaemon(true);
    }

    /**
     * The role as the app runs it: reads the app's {@code sales-actuals}, takes the champion from
     * {@code follower} and publishes promotions to the app's models topic.
     */
    public static RetrainingRole start(AppConfig config, ModelReleaseFollower follower) {
        Topics topics = ModelRegistry.topics(config);
        ModelRegistry registry = new ModelRegistry(config.kafkaClientProperties(), topics.models(), config.models());
        RetrainingRole role = new RetrainingRole(config.kafkaClientProperties(), topics.salesActuals(),
                config.bucket(), registry, config.models(), follower::champion,
                CandidateSource.fineTune(config.models().epochs(), config.models().threads()),
                CandidateSource.fromScratch(config.models().threads()));
        role.start();
        return role;
    }

    public RetrainingRole start() {
        thread.start();
        return this;
    }

    public RetrainMetrics metrics() {
        return metrics;
    }

    /** The last cycle's outcome, or null before the first decision. */
    public RetrainCycle.Outcome lastOutcome() {
        return lastOutcome;
    }

    /** Every cycle's outcome so far, oldest first (a replay lists them in its report). */
    public List<RetrainCycle.Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /**
     * The latest bucket seen when the role has read everything on the topic and runs no cycle and has none due;
     * null while it is busy. A test waits for this after writing its actuals.
     */
    public Instant idleAt() {
        return idleAt;
    }

    private void consume() {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        Instant latest = null;
        long sinceFineTune = 0;
        long sinceScratch = 0;
        Future<?> running = null;
        boolean deferred = false;
        try (KafkaConsumer<String, SalesBucket> c = new KafkaConsumer<>(props, new StringDeserializer(),
                actuals.valueSerde().deserializer())) {
            consumer = c;
            List<TopicPartition> partitions = partitions(c);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> history = c.endOffsets(partitions);
            boolean caughtUp = false;
            while (this.running) {
                var records = c.poll(POLL);
                for (ConsumerRecord<String, SalesBucket> r : records) {
                    SalesBucket b = r.value();
                    if (b == null) {
                        continue;
                    }
                    if (latest == null) {
                        latest = b.getBucketStart();
                    } else if (b.getBucketStart().isAfter(latest)) {
                        long closed = bucket.between(latest, b.getBucketStart());
                        latest = b.getBucketStart();
                        metrics.bucketClosed(closed);
                        if (caughtUp) {
                            sinceFineTune += closed;
                            sinceScratch += closed;
                        }
                    }
                    window.add(b);
                }
                if (!caughtUp && endReached(c, history)) {
                    caughtUp = true;
                    LOG.info("retraining: read the {} buckets of {} series {} held at start; fine-tunes every {} "
                                    + "closed buckets from now", metrics.bucketsClosed(),
                            window.series(), actuals.name(), settings.everyBuckets());
                }
                boolean busy = running != null && !running.isDone();
                boolean due = sinceFineTune >= settings.everyBuckets()
                        || settings.scratchEveryBuckets() > 0 && sinceScratch >= settings.scratchEveryBuckets();
                if (due && !busy && latest != null) {
                    boolean fromScratch = settings.scratchEveryBuckets() > 0
                            && sinceScratch >= settings.scratchEveryBuckets();
                    List<SeriesHistory> snapshot = window.snapshot(latest);
                    running = trainer.submit(() -> runCycle(fromScratch, snapshot));
                    // Buckets past the schedule count towards the next cycle, but at most one more is ever due:
                    // a role far behind trains on its newest window, not on every window it missed.
                    sinceFineTune = Math.min(Math.max(0, sinceFineTune - settings.everyBuckets()),
                            settings.everyBuckets() - 1);
                    if (fromScratch) {
                        sinceScratch = 0;
                    }
                    busy = true;
                    deferred = false;
                } else if (due && busy && !deferred) {
                    // Counted once per due cycle: it runs when the one in progress ends.
                    metrics.skippedBusy();
                    deferred = true;
                }
                boolean idle = caughtUp && !busy && !due && records.isEmpty()
                        && endReached(c, c.endOffsets(partitions));
                idleAt = idle ? latest : null;
            }
        } catch (WakeupException e) {
            if (this.running) {
                LOG.error("the retraining consumer of {} was woken up unexpectedly; retraining stops", actuals.name(),
                        e);
            }
        } catch (RuntimeException e) {
            LOG.error("the retraining consumer of {} failed; retraining stops (forecasting goes on)", actuals.name(),
                    e);
        } finally {
            consumer = null;
        }
    }

    private void runCycle(boolean fromScratch, List<SeriesHistory> snapshot) {
        String kind = fromScratch ? "scratch" : "fine-tune";
        if (!cycle.canScore(snapshot)) {
            metrics.skippedShort();
            LOG.info("retraining ({}) skipped: none of the {} series is longer than retrain.eval.buckets = {} yet",
                    kind, snapshot.size(), settings.evalBuckets());
            return;
        }
        Optional<ModelReleaseFollower.Champion> now = awaitOwnPromotion();
        if (now.isEmpty()) {
            LOG.info("retraining ({}) skipped: no champion in service to start from", kind);
            return;
        }
        try {
            RetrainCycle.Outcome outcome = cycle.run(kind, now.get(), snapshot, fromScratch ? scratch : fineTune);
            if (outcome.published() != null) {
                lastPublished = outcome.published();
            }
            outcomes.add(outcome);
            lastOutcome = outcome;
        } catch (Exception e) {
            metrics.failed();
            LOG.error("retraining ({}) of champion {} on {} series failed; the champion stays", kind,
                    now.get().version(), snapshot.size(), e);
        }
    }

    /**
     * The champion to start from: after a promotion of ours, the follower serves it within moments, and the next
     * cycle must start from it rather than from its parent. A rollback since then (promoted later) counts too.
     */
    private Optional<ModelReleaseFollower.Champion> awaitOwnPromotion() {
        ModelRelease ours = lastPublished;
        long deadline = System.nanoTime() + FOLLOWER_LAG.toNanos();
        Optional<ModelReleaseFollower.Champion> now = champion.get();
        while (ours != null && System.nanoTime() < deadline && (now.isEmpty()
                || now.get().release().getPromotedAt().isBefore(ours.getPromotedAt()))) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = champion.get();
        }
        if (ours != null && (now.isEmpty() || now.get().release().getPromotedAt().isBefore(ours.getPromotedAt()))) {
            LOG.warn("the follower does not serve {} promoted at {} yet after {} s; retraining from {}",
                    ours.getVersion(), ours.getPromotedAt(), FOLLOWER_LAG.toSeconds(),
                    now.map(ModelReleaseFollower.Champion::version).orElse("nothing"));
        }
        return now;
    }

    private static boolean endReached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private List<TopicPartition> partitions(KafkaConsumer<?, ?> c) {
        while (this.running) {
            var infos = c.partitionsFor(actuals.name(), Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            LOG.warn("no topic {} on {} yet; retraining waits for it", actuals.name(), bootstrapServers);
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
    }

    /** Stops reading and waits for a running cycle to end (a cycle is not interrupted half-published). */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, SalesBucket> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
            trainer.shutdown();
            if (!trainer.awaitTermination(10, TimeUnit.MINUTES)) {
                LOG.warn("a retraining cycle still runs after 10 minutes; leaving it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            trainer.shutdownNow();
        } finally {
            registry.close();
        }
    }
}
