package io.demandcast.schemas.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) inside the test JVM, on 127.0.0.1 only, with
 * its log in a temporary directory. Replication factors are 1 everywhere, including the transaction state log,
 * so exactly-once works. One broker is shared per test JVM: {@link #shared()} starts it on first use and a
 * shutdown hook stops it and deletes its directory.
 *
 * <p>Tests share the broker, so each test should use its own topic names (see {@link #uniqueTopic(String)}).
 */
public final class KafkaBroker {

    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static KafkaBroker shared;
    private static int topicCounter;

    /** The super user of a {@link #startSecured secured} broker: the broker's own account and the tests' admin. */
    public static final String ADMIN_USER = "admin";
    private static final String SASL_LISTENER = "SASL_PLAINTEXT";

    private KafkaRaftServer server;
    private final KafkaConfig config;
    private final Path logDir;
    private final String bootstrapServers;
    private final Map<String, Object> adminProperties;
    private final Duration startupTime;

    private KafkaBroker(KafkaRaftServer server, KafkaConfig config, Path logDir, String bootstrapServers,
                        Map<String, Object> adminProperties, Duration startupTime) {
        this.server = server;
        this.config = config;
        this.logDir = logDir;
        this.bootstrapServers = bootstrapServers;
        this.adminProperties = Map.copyOf(adminProperties);
        this.startupTime = startupTime;
    }

    /**
     * A broker of the caller's own, not shared, for a test that stops or restarts it; the caller closes it with
     * {@link #close()}.
     */
    public static KafkaBroker startPrivate() {
        return start(null);
    }

    /**
     * A private broker as a secured cluster runs: its client listener takes SASL_PLAINTEXT with the PLAIN mechanism
     * and knows exactly {@code users} (name to password) plus {@link #ADMIN_USER} with {@code adminPassword}, and
     * the StandardAuthorizer refuses every operation that no ACL allows (only the admin is a super user). The test
     * grants ACLs through {@link #adminProperties()}; clients connect with {@link #saslPlain(String, String)}.
     * The controller listener stays PLAINTEXT on 127.0.0.1: only the broker itself talks to it.
     */
    public static KafkaBroker startSecured(String adminPassword, Map<String, String> users) {
        Map<String, String> all = new HashMap<>(users);
        all.put(ADMIN_USER, adminPassword);
        return start(all);
    }

    /**
     * The client settings of a user of a {@link #startSecured secured} broker, as an app's configuration holds them
     * ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}).
     */
    public static Map<String, String> saslPlain(String user, String password) {
        return Map.of(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, SASL_LISTENER,
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, plainLogin(user, password, ""));
    }

    /** Settings of an Admin client with every right on this broker: its address and, if secured, the admin user. */
    public Map<String, Object> adminProperties() {
        return adminProperties;
    }

    /**
     * Stops the broker as a clean shutdown does, leaves it down for {@code down}, and starts it again on the same
     * ports and log directory; returns once it answers metadata requests.
     */
    public synchronized void restart(Duration down) throws InterruptedException {
        server.shutdown();
        server.awaitShutdown();
        Thread.sleep(down.toMillis());
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        awaitReady(adminProperties);
    }

    /** Stops a broker of {@link #startPrivate()} and deletes its log directory. */
    public void close() {
        stop();
    }

    /** The broker of this test JVM, started on first call. */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            KafkaBroker broker = start(null);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "kafka-broker-stop"));
            shared = broker;
        }
        return shared;
    }

    /** {@code host:port} of the broker's client listener (PLAINTEXT, or SASL_PLAINTEXT when secured). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** How long the broker took from formatting its storage to serving requests. */
    public Duration startupTime() {
        return startupTime;
    }

    /** A topic name no other test of this JVM gets, for tests sharing the broker. */
    public static synchronized String uniqueTopic(String prefix) {
        return prefix + "-" + (++topicCounter) + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    /** Creates topics with the given partition count and replication factor 1, and waits until they exist. */
    public void createTopics(int partitions, String... names) {
        createTopics(Stream.of(names).map(name -> new NewTopic(name, partitions, (short) 1)).toList());
    }

    /** Creates a topic with topic-level configuration (for example {@code cleanup.policy=compact}). */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
    }

    private void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(adminProperties)) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topics " + topics + " on " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics " + topics, e);
        }
    }

    /** Starts a broker; {@code saslUsers} null: a PLAINTEXT listener, else SASL/PLAIN with these users and ACLs. */
    private static KafkaBroker start(Map<String, String> saslUsers) {
        long started = System.nanoTime();
        Path logDir;
        try {
            logDir = Files.createTempDirectory("demandcast-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the broker's log directory", e);
        }
        int[] ports = FreePorts.pick(2);
        int brokerPort = ports[0];
        int controllerPort = ports[1];
        String listener = saslUsers == null ? "PLAINTEXT" : SASL_LISTENER;
        Map<String, String> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", listener + "://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:"
                + controllerPort);
        props.put("advertised.listeners", listener + "://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", listener + ":" + listener + "," + CONTROLLER_LISTENER
                + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", listener);
        Map<String, Object> adminProps = new HashMap<>();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + brokerPort);
        if (saslUsers != null) {
            String users = saslUsers.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(u -> " user_" + u.getKey() + "=\"" + u.getValue() + "\"")
                    .collect(Collectors.joining());
            props.put("sasl.enabled.mechanisms", "PLAIN");
            props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            // The broker's own login (it is a client of itself) and the accounts it accepts.
            props.put("listener.name." + listener.toLowerCase(Locale.ROOT) + ".plain.sasl.jaas.config",
                    plainLogin(ADMIN_USER, saslUsers.get(ADMIN_USER), users));
            props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // ANONYMOUS is the broker registering with its controller over the PLAINTEXT controller listener.
            props.put("super.users", "User:" + ADMIN_USER + ";User:ANONYMOUS");
            props.put("allow.everyone.if.no.acl.found", "false");
            adminProps.putAll(saslPlain(ADMIN_USER, saslUsers.get(ADMIN_USER)));
        }
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        // Few partitions for the internal topics: creating 50 of each costs seconds on a loaded 2-core machine.
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Tests replay data with event times years old; time retention would delete it mid-test.
        props.put("log.retention.ms", "-1");
        props.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        KafkaConfig config = new KafkaConfig(props, false);
        format(config, logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + brokerPort;
        KafkaBroker broker = new KafkaBroker(server, config, logDir, bootstrap, adminProps, Duration.ZERO);
        try {
            awaitReady(adminProps);
        } catch (RuntimeException e) {
            broker.stop();
            throw e;
        }
        return new KafkaBroker(server, config, logDir, bootstrap, adminProps,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private static String plainLogin(String user, String password, String acceptedUsers) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\"" + acceptedUsers + ";";
    }

    private static void format(KafkaConfig config, Path logDir) {
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            new Formatter()
                    .setPrintStream(quiet)
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format the KRaft storage in " + logDir + ": " + e, e);
        }
    }

    /** Waits until the broker is unfenced and answers metadata requests. */
    private static void awaitReady(Map<String, Object> adminProperties) {
        Object bootstrap = adminProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(adminProperties)) {
            while (System.nanoTime() < deadline) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the broker at " + bootstrap, e);
        }
        throw new IllegalStateException("The in-JVM broker at " + bootstrap + " did not answer within "
                + READY_TIMEOUT.toSeconds() + " s; last error: " + last, last);
    }

    private synchronized void stop() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            deleteRecursively(logDir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot delete " + path, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the broker's log directory " + dir, e);
        }
    }
}
