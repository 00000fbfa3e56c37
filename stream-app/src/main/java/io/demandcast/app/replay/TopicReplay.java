package io.demandcast.app.replay;

import io.demandcast.app.config.AppConfig;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.registry.ModelRegistry;
import io.demandcast.app.retrain.RetrainCycle;
import io.demandcast.app.retrain.RetrainingRole;
import io.demandcast.app.run.ForecasterApp;
import io.demandcast.app.run.ModelLoader;
import io.demandcast.app.run.TopicProvisioner;
import io.demandcast.model.Bucket;
import io.demandcast.schemas.registry.SchemaRegistryClient;
import io.demandcast.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.streams.CloseOptions;

/**
 * One replay of one model over a range of the production {@code orders}: copies the range to a topic of its own,
 * runs the production app (the same {@link io.demandcast.app.topology.ForecastTopology}, in-process) over it under
 * an application id of its own, {@code demandcast-replay-<id>}, whose topics, consumer group, transactional ids and
 * internal topics all start with that id, reads what it committed until the last bucket the range closes is out,
 * then stops it and deletes every topic starting with the id, and every schema registry subject (its serializers
 * register one per topic and key or value). Nothing it does writes a production topic or joins the production
 * group. {@code forecaster replay} runs one per model version; {@code forecaster demo} runs one over the orders it
 * produced, with the model it trained.
 */
public final class TopicReplay {

    /** Every replay's application id and topics start with this. */
    public static final String ID_PREFIX = "demandcast-replay-";

    /** What the label of a replay with retraining ends with, after the version it starts from. */
    static final String RETRAINED = "+retrain";

    /**
     * A model to replay: a version of the registry or a SavedModel folder; {@code dir} null: the fallback alone.
     * With {@code retrain}, the replay runs the trainer role and its label is the version plus {@link #RETRAINED}.
     */
    public record Candidate(String version, Path dir, boolean retrain) {
        public Candidate(String version, Path dir) {
            this(version, dir, false);
        }

        /** The version, or for a replay with retraining the version it starts from. */
        String startedFrom() {
            return retrain && version.endsWith(RETRAINED) ? version.substring(0, version.length()
                    - RETRAINED.length()) : version;
        }
    }

    /** A decision of the trainer role during a replay, and the latest bucket it had seen when it decided. */
    record Decided(Instant bucket, RetrainCycle.Outcome outcome) {
    }

    /**
     * What the replay is over: the orders of {@code range}, from {@code start} (the warm-up's first bucket), with the
     * forecasts made after the bucket before {@code from} scored up to {@code to}.
     */
    public record Plan(AppConfig production, OrdersRange range, Instant start, Instant from, Instant to, Path workDir,
                       boolean keepTopics, Duration timeout) {

        /**
         * The plan of a replay of {@code production}'s orders topic that scores the buckets {@code from} ..
         * {@code to}: it reads the records stamped from {@code warmup} buckets before {@code from} (to fill the app's
         * histories) up to the bucket after {@code to}, whose orders move event time past {@code to}'s end plus grace.
         *
         * @throws ReplayRefused (status 1) when the topic is missing, or holds no order in that range
         */
        public static Plan of(AppConfig production, Instant from, Instant to, int warmup, Path workDir,
                              boolean keepTopics, Duration timeout) {
            Bucket bucket = production.bucket();
            Instant fromBucket = bucket.floor(from);
            Instant toBucket = bucket.floor(to);
            Instant start = bucket.plus(fromBucket, -warmup);
            Instant stop = bucket.plus(toBucket, 2).plus(production.grace());
            OrdersRange range = OrdersRange.find(clientProps(production), production.topicNames().orders(), start,
                    stop);
            return new Plan(production, range, start, fromBucket, toBucket, workDir, keepTopics, timeout);
        }

        /** The topic the orders are read from. */
        public String topic() {
            return range.topic();
        }

        /** Orders in the range. */
        public long orders() {
            return range.records();
        }

        /** The first record timestamp not read: the end of the bucket after {@code to}, plus grace. */
        public Instant stop() {
            return range.stop();
        }

        /** Partitions of the topic: the replay's own topics get as many. */
        public int partitions() {
            return range.partitions();
        }
    }

    /** What came of it. */
    public record Result(Candidate candidate, String replayId, long ordersCopied, Instant latestOrder,
                  Instant expectedLast, Instant lastClosed, boolean complete, double seconds, String servedVersion,
                  ReplayOutputs outputs, List<String> topics, List<String> subjects, List<Decided> decisions) {
    }

    private final Plan plan;
    private final Candidate candidate;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean terminal;
    /** What starts each line it prints: with several replays at once, the version, so that lines can be told apart. */
    private final String indent;
    private final String who;
    private final String replayId = ID_PREFIX + UUID.randomUUID().toString().substring(0, 8);
    private final AppConfig config;
    private ForecasterApp app;
    private boolean cleaned;
    private List<String> subjects = List.of();

    /**
     * @param terminal redraw the progress line in place (a console, and this replay the only one running)
     * @param beside   whether other replays run beside this one, printing to the same {@code out} and {@code err}
     */
    public TopicReplay(Plan plan, Candidate candidate, PrintWriter out, PrintWriter err, boolean terminal,
                       boolean beside) {
        this.plan = plan;
        this.candidate = candidate;
        this.out = out;
        this.err = err;
        this.terminal = terminal && !beside;
        this.indent = beside ? "  [" + candidate.version() + "] " : "  ";
        this.who = beside ? "replay " + candidate.version() + ": " : "replay: ";
        AppConfig p = plan.production();
        AppConfig.Models m = p.models();
        Path work = plan.workDir().resolve(replayId).toAbsolutePath();
        // The replay's model registry is its own models topic; its caches are its own folders; it retrains only when
        // asked, on production's schedule and gate, and promotes to its own models topic.
        AppConfig.Models models = new AppConfig.Models(m.name(), work.resolve("shared-models"),
                work.resolve("model-cache"), candidate.retrain(), m.everyBuckets(), m.evalBuckets(), m.margin(),
                m.epochs(), m.windowBuckets(), m.maxSeries(), m.scratchEveryBuckets(), m.threads());
        this.config = p.asReplay(replayId, p.topicNames().withPrefix(replayId + "-"), plan.range().partitions(),
                work.resolve("state"), candidate.dir(), models);
    }

    public String replayId() {
        return replayId;
    }

    AppConfig config() {
        return config;
    }

    /** Runs the replay; {@link #cleanUp()} deletes what it created, whatever happened. */
    public Result run() throws InterruptedException {
        Map<String, Object> client = clientProps(config);
        Bucket bucket = config.bucket();
        long t0 = System.nanoTime();
        try (Admin admin = Admin.create(ForecasterApp.adminProperties(config, Duration.ofSeconds(30)))) {
            TopicProvisioner.ensure(admin, config, Duration.ofSeconds(30));
        }
        long total = plan.range().records();
        OrdersRange.Copied copied = null;
        if (candidate.retrain()) {
            publishStart();
        } else {
            copied = plan.range().copyTo(client, config.topicNames().orders(), n -> { });
            out.printf(Locale.ROOT, "%scopied %,d orders to %s in %.1f s%n", indent, copied.records(),
                    config.topicNames().orders(), (System.nanoTime() - t0) / 1e9);
            out.flush();
        }
        ModelLoader loader = candidate.dir() == null ? ForecasterApp.NO_LOADER : ModelLoader.installed(config);
        long appStart = System.nanoTime();
        ReplayOutputs outputs;
        boolean complete;
        String served;
        synchronized (this) {
            if (cleaned) {
                throw new InterruptedException("replay stopped before the app started");
            }
            app = ForecasterApp.start(config, loader, Duration.ofSeconds(30));
        }
        served = app.modelVersion();
        outputs = new ReplayOutputs(config, client, plan.start(), plan.to(), bucket.plus(plan.from(), -1));
        Progress progress = new Progress(total, appStart);
        List<Decided> decisions = List.of();
        if (candidate.retrain()) {
            try (OrdersRange.Copier copier = plan.range().copier(client, config.topicNames().orders())) {
                decisions = paced(copier, outputs, progress);
                copied = copier.copied();
            }
            out.printf(Locale.ROOT, "%scopied %,d orders to %s a bucket at a time, %d retraining decision%s%n",
                    indent, copied.records(), config.topicNames().orders(), decisions.size(),
                    decisions.size() == 1 ? "" : "s");
            out.flush();
        }
        // A bucket closes once event time passes its end plus grace: the range's latest order says which can.
        Instant closable = bucket.plus(bucket.floor(copied.latest().minus(config.grace())), -1);
        Instant expectedLast = closable.isBefore(plan.to()) ? closable : plan.to();
        if (expectedLast.isBefore(plan.to())) {
            out.println(indent + plan.range().topic() + " has no order after " + copied.latest() + ": the last bucket "
                    + "that can close is " + day(bucket, expectedLast) + ", before --to " + day(bucket, plan.to()));
        }
        complete = follow(outputs, copied.records(), expectedLast, progress);
        progress.finish(outputs);
        double seconds = (System.nanoTime() - appStart) / 1e9;
        stopApp();
        // What was committed before the stop and not read yet.
        long drainUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!outputs.caughtUp() && System.nanoTime() < drainUntil) {
            outputs.poll(Duration.ofMillis(500));
        }
        outputs.close();
        List<String> topics = cleanUp();
        return new Result(candidate, replayId, copied.records(), copied.latest(), expectedLast,
                outputs.slowestClosed(), complete, seconds, served, outputs, topics, subjects(), decisions);
    }

    /**
     * Publishes the version the replay starts from on the replay's own models topic, as production's champion is
     * on its own: the app's follower serves it, the trainer role fine-tunes it, and a promotion replaces it there.
     */
    private void publishStart() {
        if (candidate.dir() == null) {
            throw new IllegalStateException("a replay with retraining needs a model to start from");
        }
        try (ModelRegistry registry = ModelRegistry.of(config)) {
            registry.ensureTopic();
            registry.publish(candidate.dir(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + candidate.startedFrom() + " on "
                    + config.topicNames().models() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Feeds the app one bucket of orders at a time, and before the next waits until the app has closed what those
     * orders close, the trainer role has read those actuals and decided any cycle they made due, and a release it
     * promoted is in service. In production a cycle ends long before the next bucket closes; a replay runs a
     * quarter in minutes, and without the wait would forecast it with the model it started from.
     */
    private List<Decided> paced(OrdersRange.Copier copier, ReplayOutputs outputs, Progress progress)
            throws InterruptedException {
        RetrainingRole role = app.trainer().orElseThrow(() -> new IllegalStateException(
                "the replay's app holds no trainer role"));
        Bucket bucket = config.bucket();
        List<Decided> decisions = new ArrayList<>();
        long deadline = System.nanoTime() + plan.timeout().toNanos();
        Instant step = plan.start();
        boolean last = false;
        while (!last) {
            step = bucket.plus(step, 1);
            last = !step.isBefore(plan.range().stop());
            copier.until(last ? null : step);
            Instant reached = copier.everyPartitionReached();
            Instant closable = reached == null ? null : bucket.plus(bucket.floor(reached.minus(config.grace())), -1);
            awaitStep(outputs, copier.copied().records(), closable, role, progress, deadline);
            List<RetrainCycle.Outcome> outcomes = role.outcomes();
            for (int i = decisions.size(); i < outcomes.size(); i++) {
                RetrainCycle.Outcome o = outcomes.get(i);
                decisions.add(new Decided(role.idleAt(), o));
                out.printf(Locale.ROOT, "%sretraining at %s (%s): candidate %s MASE %.3f, champion %s MASE %.3f: %s%n",
                        indent, role.idleAt() == null ? "?" : day(bucket, role.idleAt()), o.kind(),
                        o.candidateVersion(), o.candidate().mase(), o.championVersion(), o.champion().mase(),
                        o.decision().label());
                out.flush();
            }
        }
        return decisions;
    }

    private void awaitStep(ReplayOutputs outputs, long copied, Instant closable, RetrainingRole role,
                           Progress progress, long deadline) throws InterruptedException {
        // A partition whose orders stop short keeps buckets open until the wall-clock close: not worth waiting for.
        double quiet = Math.max(30, 2 * config.wallclockCloseInterval().toSeconds() + 5);
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replay with retraining did not end in " + plan.timeout()
                        .toSeconds() + " s (--timeout); the trainer role's metrics: " + role.metrics().snapshot());
            }
            poll(outputs, Duration.ofMillis(100), progress);
            if (app.metrics().recordsIn() < copied) {
                continue;
            }
            Instant slowest = outputs.slowestClosed();
            boolean closed = closable == null || closable.isBefore(plan.start())
                    || slowest != null && !slowest.isBefore(closable);
            if (!closed && outputs.quietSeconds() < quiet) {
                continue;
            }
            if (slowest == null) {
                // No actuals yet: nothing for the trainer to read.
                return;
            }
            Instant idle = role.idleAt();
            if (idle == null || idle.isBefore(slowest)) {
                continue;
            }
            RetrainCycle.Outcome latest = role.lastOutcome();
            if (latest != null && latest.published() != null
                    && !latest.published().getVersion().equals(app.modelVersion())) {
                continue;
            }
            return;
        }
    }

    /**
     * Reads what the outputs have for up to {@code wait} and shows it; stops the replay when it was interrupted or
     * stopped, or when its app stopped.
     */
    private void poll(ReplayOutputs outputs, Duration wait, Progress progress) throws InterruptedException {
        outputs.poll(wait);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("replay interrupted");
        }
        if (stopping()) {
            throw new InterruptedException("the replay was stopped");
        }
        if (app.awaitStop(Duration.ZERO)) {
            throw new IllegalStateException("the replay's app stopped (stream state " + app.health().state()
                    + "); see its log");
        }
        progress.update(app.metrics().recordsIn(), outputs);
    }

    /**
     * Reads the outputs until every aggregating task has closed {@code expectedLast}, the app has read every copied
     * order and this reader everything committed so far; or, once it has read them, until nothing came for 90 s or
     * three wall-clock close intervals (an order the intake refused can leave the last bucket open); or at once when
     * every order was dead-lettered as undecodable; or until the timeout.
     */
    private boolean follow(ReplayOutputs outputs, long copied, Instant expectedLast, Progress progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + plan.timeout().toNanos();
        // Long enough for a loaded machine: the intake reads every order well before the closes they make are out.
        double quiet = Math.max(90, 3 * config.wallclockCloseInterval().toSeconds() + 10);
        while (System.nanoTime() < deadline) {
            poll(outputs, Duration.ofMillis(500), progress);
            boolean read = app.metrics().recordsIn() >= copied;
            Instant slowest = outputs.slowestClosed();
            if (read && slowest != null && !slowest.isBefore(expectedLast)
                    && outputs.forecastCount() == outputs.actualCount() && outputs.caughtUp()) {
                return true;
            }
            long undecodable = outputs.deadLetters().getOrDefault(Rejection.DESERIALIZATION, 0L);
            if (read && copied > 0 && undecodable >= copied) {
                // Nothing can come: waiting out the quiet time would only hide why.
                err.println(who + "every one of the " + copied + " orders copied was dead-lettered as not an "
                        + "OrderEvent, e.g. " + outputs.firstDetail(Rejection.DESERIALIZATION).orElse("?")
                        + ". If the schema registry lost its schemas while the broker kept its topics (a registry "
                        + "reset or moved), the orders name schema ids it no longer has: produce them again.");
                return false;
            }
            if (read && outputs.quietSeconds() > quiet) {
                err.println(who + "nothing came for " + (int) quiet + " s after every order was read; the last "
                        + "bucket closed is " + (slowest == null ? "none" : day(config.bucket(), slowest))
                        + ", expected " + day(config.bucket(), expectedLast));
                return false;
            }
        }
        err.println(who + "stopped waiting after " + plan.timeout().toSeconds() + " s (--timeout)");
        return false;
    }

    private synchronized boolean stopping() {
        return cleaned;
    }

    private synchronized void stopApp() {
        if (app != null) {
            // Leave the group on the way out (Kafka Streams stays in it by default, for a quick restart), so that
            // the group can be deleted now rather than after its session timeout.
            app.streams().close(CloseOptions.groupMembershipOperation(
                    CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(60)));
            app.close();
            try {
                app.streams().cleanUp();
            } catch (IllegalStateException e) {
                err.println(who + "the app's local state in " + config.stateDir() + " stays: " + e.getMessage());
            }
        }
    }

    /**
     * Stops the app if it runs and deletes every topic of this replay, its group, its registry subjects (unless
     * kept) and its work folder: at the end, and from the shutdown hook on Ctrl-C. Returns the topics deleted (or
     * kept); {@link #subjects()} says which subjects.
     */
    public synchronized List<String> cleanUp() {
        if (cleaned) {
            return List.of();
        }
        cleaned = true;
        stopApp();
        List<String> ours = List.of();
        try (Admin admin = Admin.create(ForecasterApp.adminProperties(config, Duration.ofSeconds(30)))) {
            ours = List.copyOf(topicsOf(admin, replayId));
            if (!plan.keepTopics() && !ours.isEmpty()) {
                admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
            }
            if (!plan.keepTopics()) {
                deleteGroup(admin);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            err.println(who + "could not delete this replay's topics (" + replayId + "-*): " + e);
        }
        // After the topics: a subject deleted while the app still ran would be registered again by its serializer.
        try {
            SchemaRegistryClient registry = new SchemaRegistryClient(ForecasterApp.serdeConfig(config));
            subjects = plan.keepTopics() ? subjectsOf(registry, replayId) : deleteSubjects(registry, replayId);
        } catch (SchemaRegistryException e) {
            err.println(who + "could not delete this replay's schema registry subjects (" + replayId + "-*): "
                    + e.getMessage());
        }
        if (!plan.keepTopics()) {
            deleteTree(plan.workDir().resolve(replayId));
        }
        return ours;
    }

    /** The registry subjects of this replay: deleted, or with {@code --keep-topics} kept. */
    public synchronized List<String> subjects() {
        return subjects;
    }

    /**
     * The subjects whose names start with {@code replayId-}, soft-deleted ones included: those of the replay's
     * topics, its internal ones included (each {@code <topic>-key} or {@code <topic>-value}).
     */
    static List<String> subjectsOf(SchemaRegistryClient registry, String replayId) {
        return registry.subjects(true).stream().filter(s -> s.startsWith(replayId + "-")).sorted().toList();
    }

    /**
     * Deletes the subjects of {@link #subjectsOf}: soft, then permanently, as the Confluent API wants. A subject
     * already soft-deleted (a cleanup cut short) answers the soft delete with not-found and is deleted permanently.
     */
    static List<String> deleteSubjects(SchemaRegistryClient registry, String replayId) {
        List<String> deleted = new ArrayList<>();
        for (String subject : subjectsOf(registry, replayId)) {
            for (boolean permanent : new boolean[] {false, true}) {
                try {
                    registry.deleteSubject(subject, permanent);
                } catch (SchemaRegistryException e) {
                    if (e.reason() != SchemaRegistryException.Reason.NOT_FOUND) {
                        throw e;
                    }
                }
            }
            deleted.add(subject);
        }
        return deleted;
    }

    /** The replay's consumer group (its application id): its committed offsets are of topics now deleted. */
    private void deleteGroup(Admin admin) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                admin.deleteConsumerGroups(List.of(replayId)).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                // A replay stopped before its app joined has no group.
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    return;
                }
                // The coordinator may not have seen the members leave yet.
                if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    /** The topics whose names start with {@code replayId-}: the replay's own and Kafka Streams' internal ones. */
    static Set<String> topicsOf(Admin admin, String replayId) throws Exception {
        Set<String> ours = new TreeSet<>();
        for (String name : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
            if (name.startsWith(replayId + "-")) {
                ours.add(name);
            }
        }
        return ours;
    }

    /** The broker connection (and its security settings) of {@code config}, for plain clients. */
    static Map<String, Object> clientProps(AppConfig config) {
        return new HashMap<>(ForecasterApp.adminProperties(config, Duration.ofSeconds(30)));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // A folder left in the work directory is harmless; the topics are what matter.
        }
    }

    static String day(Bucket bucket, Instant t) {
        return io.demandcast.model.backtest.BacktestReport.bucketText(bucket, t);
    }

    /**
     * Event time reached, orders read and their rate, and the time left: on a terminal one line redrawn at most
     * four times a second; into a log a plain line every ten seconds.
     */
    private final class Progress {
        private final long total;
        private final long started;
        private long lastDraw;
        private boolean drawn;
        private String line = "";

        Progress(long total, long started) {
            this.total = total;
            this.started = started;
        }

        void update(long read, ReplayOutputs outputs) {
            long now = System.nanoTime();
            double seconds = Math.max(1e-3, (now - started) / 1e9);
            double rate = read / seconds;
            Instant reached = outputs.slowestClosed();
            // Closes lag the intake (the orders are read well ahead of the buckets they close): the time left is
            // judged by the event time the slowest task has closed, out of the range to close.
            double span = plan.to().toEpochMilli() - plan.start().toEpochMilli();
            double done = reached == null ? 0 : (reached.toEpochMilli() - plan.start().toEpochMilli()) / span;
            String eta = done <= 0 ? "?" : String.format(Locale.ROOT, "%.0f s", seconds * (1 - Math.min(1, done))
                    / done);
            line = String.format(Locale.ROOT, "%sevent time %s  orders %,d/%,d  %,.0f orders/s  ETA %s", indent,
                    reached == null ? "-" : day(config.bucket(), reached), Math.min(read, total), total, rate, eta);
            if (!drawn || now - lastDraw >= (terminal ? 250_000_000L : 10_000_000_000L)) {
                lastDraw = now;
                draw();
            }
        }

        private void draw() {
            if (terminal) {
                err.print("\r" + line + "    ");
            } else {
                err.println(line);
            }
            err.flush();
            drawn = true;
        }

        void finish(ReplayOutputs outputs) {
            if (drawn) {
                draw();
                if (terminal) {
                    err.println();
                }
                err.flush();
            }
        }
    }
}
