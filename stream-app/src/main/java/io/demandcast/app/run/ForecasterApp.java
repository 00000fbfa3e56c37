package io.demandcast.app.run;

import io.demandcast.app.registry.ModelRegistry;
import io.demandcast.app.registry.ModelReleaseFollower;
import io.demandcast.app.retrain.RetrainingRole;
import io.demandcast.app.config.AppConfig;
import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.eventtime.BrokerBacklog;
import io.demandcast.app.ingest.RecordTimestamps;
import io.demandcast.app.metrics.InstanceMetrics;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.app.topology.ForecastTopology;
import io.demandcast.app.web.ForecastQueries;
import io.demandcast.app.web.RestServer;
import io.demandcast.app.web.RestockQueries;
import io.demandcast.model.TrainedModel;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.registry.AvroSerdes;
import io.demandcast.schemas.registry.SerdeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance of the forecaster: checks that the broker and the registry answer, creates missing topics,
 * loads the model (or runs on the fallback), builds the topology, starts Kafka Streams with
 * {@code application.server} set to its REST address for interactive queries, and serves REST. {@link #close()}
 * stops it all (the stream first, so that in-flight work commits), once, from whichever thread asks first.
 *
 * <pre>{@code
 * try (ForecasterApp app = ForecasterApp.start(config, ForecasterApp.NO_LOADER, Duration.ofSeconds(15))) {
 *     app.awaitStop();
 * }
 * }</pre>
 */
public final class ForecasterApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForecasterApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    /** No model loader wired: the app runs on the seasonal naive fallback. */
    public static final ModelLoader NO_LOADER = null;

    private final AppConfig config;
    private final KafkaStreams streams;
    private final RestServer rest;
    private final ModelSlot models;
    private final InstanceMetrics metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile boolean failed;
    /** Changelog partitions being restored now: the instance is not ready until there are none. */
    private final Set<TopicPartition> restoringPartitions = ConcurrentHashMap.newKeySet();

    private final ModelReleaseFollower follower;
    private final RetrainingRole trainer;
    private final BrokerBacklog backlog;

    private ForecasterApp(AppConfig config, KafkaStreams streams, RestServer rest, ModelSlot models,
                          InstanceMetrics metrics, ModelReleaseFollower follower, RetrainingRole trainer,
                          BrokerBacklog backlog) {
        this.config = config;
        this.backlog = backlog;
        this.streams = streams;
        this.rest = rest;
        this.models = models;
        this.metrics = metrics;
        this.follower = follower;
        this.trainer = trainer;
    }

    /**
     * Starts an instance.
     * @param loader         loads {@code model.dir}; null ({@link #NO_LOADER}) runs on the fallback
     * @param connectTimeout how long the broker and the registry may take to answer at start
     * @throws StartupException when the broker or the registry does not answer, a topic cannot be created or the
     *                          model cannot be loaded; nothing is left running
     */
    public static ForecasterApp start(AppConfig config, ModelLoader loader, Duration connectTimeout) {
        LOG.info("configuration:{}", format(config.describe()));
        int orderPartitions;
        RecordTimestamps timestamps;
        try (Admin admin = Preflight.admin(config, connectTimeout)) {
            int brokers = Preflight.checkBroker(admin, config, connectTimeout);
            LOG.info("Kafka at {} answers ({} broker(s))", config.bootstrapServers(), brokers);
            Preflight.checkRegistry(config, connectTimeout);
            LOG.info("schema registry at {} answers", config.schemaRegistryUrl());
            List<String> created = TopicProvisioner.ensure(admin, config, connectTimeout);
            if (!created.isEmpty()) {
                LOG.info("created topics {} ({} partitions)", created, config.topicPartitions());
            }
            // Buckets wait for the event time of every orders partition; the topic may predate topic.partitions.
            orderPartitions = TopicProvisioner.partitionCount(admin, config.topicNames().orders(), connectTimeout);
            LOG.info("{} has {} partition(s)", config.topicNames().orders(), orderPartitions);
            checkRestockPartitions(admin, config, connectTimeout);
            timestamps = Preflight.recordTimestamps(admin, config, connectTimeout);
            LOG.info("the broker accepts {}", timestamps);
        }
        LOG.info(TensorFlowDevice.detect().describe());
        ModelSlot models = new ModelSlot();
        RestServer rest = null;
        ModelReleaseFollower follower = null;
        RetrainingRole trainer = null;
        BrokerBacklog backlog = null;
        InstanceMetrics metrics = new InstanceMetrics();
        try {
            loadModel(config, loader, models);
            follower = followReleases(config, models, connectTimeout);
            if (config.models().retrain()) {
                trainer = RetrainingRole.start(config, follower);
                metrics.bind(trainer.metrics());
                LOG.info("this instance holds the trainer role: fine-tunes every {} closed buckets",
                        config.models().everyBuckets());
            }
            Topics topics = new Topics(config.topicNames(), new AvroSerdes(serdeConfig(config)));
            metrics.pipeline().modelVersion(models.version() == null ? "none" : models.version());
            backlog = watchBacklog(config, orderPartitions, connectTimeout);
            Topology topology = ForecastTopology.build(config, orderPartitions, topics, models, metrics.pipeline(), backlog,
                    timestamps);
            try {
                rest = RestServer.bind(config.restHost(), config.restPort());
            } catch (UncheckedIOException e) {
                throw new StartupException(e.getMessage(), e);
            }
            HostInfo self = new HostInfo(config.restAdvertisedHost(), rest.address().getPort());
            Properties props = config.streamsProperties();
            props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
            KafkaStreams streams;
            try {
                streams = new KafkaStreams(topology, props);
            } catch (KafkaException e) {
                throw new StartupException("Kafka Streams refused its configuration (check the streams.* keys): "
                        + e.getMessage(), e);
            }
            metrics.bindStreams(streams);
            ForecasterApp app = new ForecasterApp(config, streams, rest, models, metrics, follower, trainer,
                    backlog);
            streams.setStateListener((now, before) -> {
                LOG.info("stream state {} -> {}", before, now);
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    app.failed |= now == KafkaStreams.State.ERROR;
                    app.stopped.countDown();
                }
            });
            streams.setGlobalStateRestoreListener(app.restoreTracker());
            streams.setUncaughtExceptionHandler(e -> {
                LOG.error("a stream thread failed; stopping this instance (its tasks move to the others)", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            rest.start(new ForecastQueries(streams, self, Duration.ofSeconds(10), config.bucket(),
                    topics.forecasts().valueSerde().deserializer(), topics.forecasts().name()),
                    new RestockQueries(streams, self, Duration.ofSeconds(10)), app::health,
                    app::readiness,
                    metrics::scrape);
            streams.start();
            LOG.info("forecaster {} started: model {}, REST http://{}:{}, application.server {}:{}",
                    config.applicationId(), models.version() == null ? "none (seasonal naive fallback)"
                            : models.version(), rest.address().getHostString(), rest.address().getPort(),
                    self.host(), self.port());
            return app;
        } catch (RuntimeException e) {
            if (backlog != null) {
                backlog.close();
            }
            if (trainer != null) {
                trainer.close();
            }
            if (follower != null) {
                follower.close();
            }
            if (rest != null) {
                rest.close();
            }
            models.close();
            metrics.close();
            throw e;
        }
    }

    /**
     * Restock alerts meet a product's stock level and its forecasts in one task: {@code inventory} and
     * {@code forecasts} are both keyed by product id and must have as many partitions.
     */
    private static void checkRestockPartitions(Admin admin, AppConfig config, Duration timeout) {
        String inventory = config.topicNames().inventory();
        String forecasts = config.topicNames().forecasts();
        int a = TopicProvisioner.partitionCount(admin, inventory, timeout);
        int b = TopicProvisioner.partitionCount(admin, forecasts, timeout);
        if (a != b) {
            throw new StartupException(inventory + " has " + a + " partition(s) and " + forecasts + " has " + b
                    + "; restock alerts join them by product id, so they need the same partition count (recreate "
                    + inventory + " with " + b + " partitions)", null);
        }
    }

    /**
     * Follows the models topic so that every promotion (and rollback) is served without a pause, and so that a
     * restarted instance serves the latest release rather than {@code model.dir}. When the topic has no release
     * yet, the model of {@code model.dir} becomes the first one: the trainer needs a champion to improve on.
     */
    private static ModelReleaseFollower followReleases(AppConfig config, ModelSlot models, Duration timeout) {
        ModelReleaseFollower follower = ModelReleaseFollower.start(config, models);
        try {
            if (!follower.awaitCaughtUp(timeout)) {
                LOG.warn("the models topic {} was not read to its end within {}; serving {} until it is",
                        config.topicNames().models(), timeout, models.version() == null ? "the fallback"
                                : models.version());
            } else if (follower.champion().isPresent()) {
                LOG.info("serving release {} of the models topic", follower.champion().get().version());
            } else if (config.modelDir() != null && models.version() != null) {
                try (ModelRegistry registry = ModelRegistry.of(config)) {
                    registry.publish(config.modelDir(), Map.of());
                    LOG.info("published model {} from model.dir as the first release of {}", models.version(),
                            config.topicNames().models());
                }
            }
            return follower;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            follower.close();
            throw new StartupException("interrupted while reading the models topic", e);
        } catch (IOException | RuntimeException e) {
            follower.close();
            throw new StartupException("cannot publish the model of model.dir to " + config.topicNames().models()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void loadModel(AppConfig config, ModelLoader loader, ModelSlot models) {
        if (config.modelDir() == null) {
            LOG.info("model.dir is not set: forecasting with the seasonal naive fallback");
            return;
        }
        if (loader == null) {
            LOG.warn("model.dir is {}, but this build wires no model loader: forecasting with the seasonal naive "
                    + "fallback", config.modelDir());
            return;
        }
        try {
            TrainedModel model = loader.load(config.modelDir());
            models.swap(model);
            LOG.info("model {} ({}) loaded from {}", model.version(), model.method(), config.modelDir());
        } catch (Exception e) {
            throw new StartupException("cannot load the model in " + config.modelDir() + " (model.dir, env "
                    + AppConfig.envName("model.dir") + "): " + e, e);
        }
    }

    /**
     * Watches what each {@code orders} partition still holds for its intake task, so that a task a busy stream
     * thread left without a turn is not taken for an idle one, and how far the aggregating tasks read the
     * repartition topic (docs/ARCHITECTURE.md, "Bucket close and watermarks").
     */
    public static BrokerBacklog watchBacklog(AppConfig config, int orderPartitions, Duration timeout) {
        Properties streamsProps = config.streamsProperties();
        Object reset = new StreamsConfig(streamsProps).getMainConsumerConfigs(config.applicationId(),
                config.applicationId() + "-backlog", 0).get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
        return BrokerBacklog.watch(Admin.create(adminProperties(config, timeout)), config.applicationId(),
                config.topicNames().orders(), orderPartitions,
                ForecastTopology.repartitionTopic(config.applicationId()),
                BrokerBacklog.Uncommitted.of(reset == null ? null : reset.toString()), config.wallclockCloseInterval());
    }

    /** The registry client settings of {@code config} (see {@link AppConfig#serdeConfig()}). */
    public static SerdeConfig serdeConfig(AppConfig config) {
        return config.serdeConfig();
    }

    /** An Admin client's settings on the broker of {@code config}, its security settings included. */
    public static Map<String, Object> adminProperties(AppConfig config, Duration timeout) {
        Map<String, Object> props = config.kafkaClientProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return props;
    }

    private static String format(Map<String, String> described) {
        StringBuilder sb = new StringBuilder();
        described.forEach((k, v) -> sb.append("\n  ").append(k).append(" = ").append(v));
        return sb.toString();
    }

    /**
     * Readiness: whether this instance is processing, not merely alive. After a restart (a kill -9 above all) the
     * stream rebalances until the group gives up on the dead member (its session timeout) and then restores its
     * state; it processes nothing meanwhile, though it is alive.
     */
    public RestServer.Health readiness() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            return new RestServer.Health(false, state.name());
        }
        int restoring = restoringPartitions.size();
        if (restoring > 0) {
            return new RestServer.Health(false, "RESTORING " + restoring + " changelog partition(s)");
        }
        return new RestServer.Health(true, state.name());
    }

    /** Liveness: the stream runs or rebalances. */
    public RestServer.Health health() {
        KafkaStreams.State state = streams.state();
        return new RestServer.Health(state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING,
                state.name());
    }

    private StateRestoreListener restoreTracker() {
        return new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
                restoringPartitions.add(partition);
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long restored) {
                // Progress within a partition does not change readiness.
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
                restoringPartitions.remove(partition);
            }

            @Override
            public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
                restoringPartitions.remove(partition);
            }
        };
    }

    public KafkaStreams streams() {
        return streams;
    }

    public PipelineMetrics metrics() {
        return metrics.pipeline();
    }

    public AppConfig config() {
        return config;
    }

    /** Where REST listens. */
    public InetSocketAddress restAddress() {
        return rest.address();
    }

    /** The models the forecast cycles lease: one lease holds the model in service until it is released. */
    public ModelHandle models() {
        return models;
    }

    /** The trainer role, when this instance holds it ({@code retrain.enabled}). */
    public Optional<RetrainingRole> trainer() {
        return Optional.ofNullable(trainer);
    }

    /** The version of the model in service, or null on the fallback. */
    public String modelVersion() {
        return models.version();
    }

    /** Blocks until the stream stops (closed, or failed). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the stream stopped on an error rather than by {@link #close()}. */
    public boolean failed() {
        return failed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("stopping forecaster {}", config.applicationId());
        boolean clean = streams.close(CLOSE_TIMEOUT);
        if (!clean) {
            LOG.warn("the stream did not stop within {}; exiting anyway", CLOSE_TIMEOUT);
        }
        if (trainer != null) {
            trainer.close();
        }
        backlog.close();
        follower.close();
        rest.close();
        models.close();
        metrics.close();
        stopped.countDown();
        LOG.info("forecaster {} stopped", config.applicationId());
    }
}
