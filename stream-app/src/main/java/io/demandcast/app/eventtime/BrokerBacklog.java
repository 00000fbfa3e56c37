package io.demandcast.app.eventtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog of each {@code orders} partition as the broker sees it: its last stable offset (what a
 * {@code read_committed} consumer can read) minus the offset the application's consumer group committed for it.
 * Looked up by a timer thread of its own, so that a stream thread busy with a long forecast cycle does not stop the
 * look-ups, and read without I/O by the intake tasks' punctuators.
 *
 * <p>Why the committed offset and not the consumer's {@code records-lag} metric: the metric is measured at the
 * stream thread's last fetch (stale exactly while the thread is busy) and counts records already fetched into
 * Kafka Streams' buffer as read. Kafka Streams commits the offset of the next record its task will process (the
 * consumer's position, transaction markers skipped, once the buffer is empty), so committed = last stable offset
 * means the task has processed all its partition held. The committed offset is read before the end offset, and
 * both can only grow, so a look can overstate the backlog, never understate it as of when it began. A look older
 * than {@code maxAge} (the broker did not answer) counts as {@link #UNKNOWN}: idleness is then judged by the wall
 * clock alone, and a warning says so.
 *
 * <p>It also looks at the repartition topic the aggregating tasks read: its last stable offsets, and the offsets the
 * group committed there. An aggregating task has read what was on its partition before a look once the group
 * committed past that look's last stable offset ({@link #repartitionEnd}, {@link #repartitionRead}). Those offsets
 * are looked up apart: a repartition topic the app has not created yet leaves them unknown, not the orders'
 * backlog.
 */
public final class BrokerBacklog implements IntakeBacklog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerBacklog.class);

    /** How a partition without a committed offset is counted: the group's reset policy decides where it starts. */
    public enum Uncommitted {
        /** From the partition's log start ({@code auto.offset.reset=earliest}, Kafka Streams' default). */
        FROM_START,
        /** Nothing waiting ({@code latest}: the consumer starts at the end). */
        NOTHING,
        /** Not known (another policy): the wall clock alone decides. */
        UNKNOWN;

        /** The policy for a consumer's {@code auto.offset.reset} value. */
        public static Uncommitted of(String autoOffsetReset) {
            String v = autoOffsetReset == null ? "" : autoOffsetReset.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "earliest" -> FROM_START;
                case "latest" -> NOTHING;
                default -> UNKNOWN;
            };
        }
    }

    /**
     * One look: the backlog of every partition, when the look began, and its number in the order looks began; and of
     * each repartition partition the last stable offset and how far the group read (null when not known).
     */
    private record Look(long[] waiting, long beganNanos, long number, long[] repartitionStable,
                        long[] repartitionRead) {
    }

    private final Admin admin;
    private final String groupId;
    private final List<TopicPartition> partitions;
    /** The repartition topic's partitions; empty when it is not watched. */
    private final List<TopicPartition> repartition;
    /** Whether the repartition topic was seen to exist: until then its offsets are not asked for. */
    private volatile boolean repartitionCreated;
    private final Uncommitted uncommitted;
    private final Duration timeout;
    private final long maxAgeNanos;
    private final ScheduledExecutorService timer;
    private volatile Look last;
    /** How many looks have begun. */
    private final AtomicLong begun = new AtomicLong();
    private boolean failing;

    private BrokerBacklog(Admin admin, String groupId, String topic, int partitions, String repartitionTopic,
                          Uncommitted uncommitted, Duration maxAge) {
        this.admin = admin;
        this.groupId = groupId;
        this.partitions = new ArrayList<>();
        this.repartition = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            this.partitions.add(new TopicPartition(topic, p));
            if (repartitionTopic != null) {
                // The aggregating step's repartition topic gets the partition count of orders (Kafka Streams' default).
                this.repartition.add(new TopicPartition(repartitionTopic, p));
            }
        }
        this.uncommitted = uncommitted;
        this.maxAgeNanos = maxAge.toNanos();
        this.timeout = maxAge;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "intake-backlog-" + groupId);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts watching. The first look is taken before this returns (its failure is logged, not thrown: the app runs
     * on the wall clock until the broker answers).
     * @param admin       the client to ask; this closes it
     * @param groupId     the application's consumer group ({@code application.id})
     * @param topic       the {@code orders} topic
     * @param partitions  its partition count
     * @param repartitionTopic the topic the aggregating tasks read (as many partitions), or null to not watch it
     * @param uncommitted how a partition without a committed offset counts
     * @param idleAfter   {@code wallclock.close.interval}: a look every tenth of it (0.2 s to 5 s), and a look older
     *                    than one interval counts as unknown
     */
    public static BrokerBacklog watch(Admin admin, String groupId, String topic, int partitions,
                                      String repartitionTopic, Uncommitted uncommitted, Duration idleAfter) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of " + topic + ": expected >= 1, got " + partitions);
        }
        long every = period(idleAfter).toMillis();
        Duration maxAge = Duration.ofMillis(Math.max(idleAfter.toMillis(), 2 * every));
        BrokerBacklog backlog = new BrokerBacklog(admin, groupId, topic, partitions, repartitionTopic, uncommitted,
                maxAge);
        backlog.lookSafely();
        backlog.timer.scheduleWithFixedDelay(backlog::lookSafely, every, every, TimeUnit.MILLISECONDS);
        return backlog;
    }

    /** How often the broker is asked, for a {@code wallclock.close.interval} of {@code idleAfter}. */
    public static Duration period(Duration idleAfter) {
        return Duration.ofMillis(Math.max(200, Math.min(5_000, idleAfter.toMillis() / 10)));
    }

    @Override
    public long waiting(int partition) {
        Look look = current();
        if (look == null || partition < 0 || partition >= look.waiting().length) {
            return UNKNOWN;
        }
        return look.waiting()[partition];
    }

    @Override
    public long mark() {
        return begun.get();
    }

    @Override
    public boolean lookedSince(long mark) {
        Look look = current();
        // No current look: the backlog is unknown and the wall clock alone decides.
        return look == null || look.number() > mark;
    }

    @Override
    public long repartitionEnd(int partition) {
        Look look = current();
        return look == null ? UNKNOWN : at(look.repartitionStable(), partition);
    }

    @Override
    public long repartitionRead(int partition) {
        Look look = current();
        return look == null ? UNKNOWN : at(look.repartitionRead(), partition);
    }

    private static long at(long[] offsets, int partition) {
        return offsets == null || partition < 0 || partition >= offsets.length ? UNKNOWN : offsets[partition];
    }

    /** The last look, or null when there is none or it is older than {@code maxAge}. */
    private Look current() {
        Look look = last;
        return look == null || System.nanoTime() - look.beganNanos() > maxAgeNanos ? null : look;
    }

    /** Looks once now; what the timer does. @throws KafkaException when the broker does not answer in time */
    public void look() {
        long number = begun.incrementAndGet();
        long began = System.nanoTime();
        try {
            // Committed first: an offset committed after the end offset was read could hide records that came since.
            List<TopicPartition> asked = new ArrayList<>(partitions);
            asked.addAll(repartition);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            Map.of(groupId, new ListConsumerGroupOffsetsSpec().topicPartitions(asked)))
                    .partitionsToOffsetAndMetadata(groupId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = offsets(partitions,
                    OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = null;
            long[] waiting = new long[partitions.size()];
            for (int p = 0; p < waiting.length; p++) {
                TopicPartition tp = partitions.get(p);
                long end = stable.get(tp).offset();
                OffsetAndMetadata c = committed.get(tp);
                if (c != null) {
                    waiting[p] = Math.max(0, end - c.offset());
                } else if (uncommitted == Uncommitted.FROM_START) {
                    if (start == null) {
                        start = offsets(partitions, OffsetSpec.earliest());
                    }
                    waiting[p] = Math.max(0, end - start.get(tp).offset());
                } else {
                    waiting[p] = uncommitted == Uncommitted.NOTHING ? 0 : UNKNOWN;
                }
            }
            long[][] read = repartitionRead(committed);
            last = new Look(waiting, began, number, read == null ? null : read[0], read == null ? null : read[1]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while asking for the backlog of " + partitions, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new KafkaException("the broker did not tell the backlog of " + partitions + " for group "
                    + groupId + " within " + timeout + ": " + cause, cause);
        }
    }

    /**
     * The repartition partitions' last stable offsets and how far the group read each ({stable, read}), read after
     * {@code committed}; null when not watched or not known (the topic is not there yet). Kafka Streams reads its
     * repartition topics from the start when nothing is committed.
     */
    private long[][] repartitionRead(Map<TopicPartition, OffsetAndMetadata> committed) throws InterruptedException {
        if (repartition.isEmpty()) {
            return null;
        }
        try {
            if (!repartitionCreated) {
                // Kafka's admin client logs an ERROR, stack trace included, for every offsets request to a topic that
                // is not there; the app creates this one after its first looks.
                String topic = repartition.get(0).topic();
                if (!admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                    return null;
                }
                repartitionCreated = true;
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = offsets(repartition,
                    OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = null;
            long[][] out = new long[2][repartition.size()];
            for (int p = 0; p < repartition.size(); p++) {
                TopicPartition tp = repartition.get(p);
                out[0][p] = stable.get(tp).offset();
                OffsetAndMetadata c = committed.get(tp);
                if (c == null) {
                    if (start == null) {
                        start = offsets(repartition, OffsetSpec.earliest());
                    }
                    out[1][p] = start.get(tp).offset();
                } else {
                    out[1][p] = c.offset();
                }
            }
            return out;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return null;
        }
    }

    private Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets(List<TopicPartition> of,
                                                                                  OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        of.forEach(tp -> request.put(tp, spec));
        // read_committed: the end is the last stable offset, what the exactly-once consumer can read.
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void lookSafely() {
        try {
            look();
            if (failing) {
                LOG.info("the backlog of {} is known again: idle partitions are judged by it", partitions);
                failing = false;
            }
        } catch (RuntimeException e) {
            // Whatever failed, the timer must keep looking: a task that throws is never run again.
            if (!failing && !timer.isShutdown()) {
                LOG.warn("{}; until it answers, an orders partition that accepted no order for a whole "
                        + "wallclock.close.interval counts as idle even if records wait for it", e.toString());
                failing = true;
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the backlog look-up of group {} did not stop within 10 s", groupId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
