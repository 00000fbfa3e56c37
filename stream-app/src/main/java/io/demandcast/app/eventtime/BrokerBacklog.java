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

    /** One look: the backlog of every partition, when the look began, and its number in the order looks began. */
    private record Look(long[] waiting, long beganNanos, long number) {
    }

    private final Admin admin;
    private final String groupId;
    private final List<TopicPartition> partitions;
    private final Uncommitted uncommitted;
    private final Duration timeout;
    private final long maxAgeNanos;
    private final ScheduledExecutorService timer;
    private volatile Look last;
    /** How many looks have begun. */
    private final AtomicLong begun = new AtomicLong();
    private boolean failing;

    private BrokerBacklog(Admin admin, String groupId, String topic, int partitions, Uncommitted uncommitted,
                          Duration maxAge) {
        this.admin = admin;
        this.groupId = groupId;
        this.partitions = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            this.partitions.add(new TopicPartition(topic, p));
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
     * @param uncommitted how a partition without a committed offset counts
     * @param idleAfter   {@code wallclock.close.interval}: a look every tenth of it (0.2 s to 5 s), and a look older
     *                    than one interval counts as unknown
     */
    public static BrokerBacklog watch(Admin admin, String groupId, String topic, int partitions,
                                      Uncommitted uncommitted, Duration idleAfter) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of " + topic + ": expected >= 1, got " + partitions);
        }
        long every = period(idleAfter).toMillis();
        Duration maxAge = Duration.ofMillis(Math.max(idleAfter.toMillis(), 2 * every));
        BrokerBacklog backlog = new BrokerBacklog(admin, groupId, topic, partitions, uncommitted, maxAge);
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
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            Map.of(groupId, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)))
                    .partitionsToOffsetAndMetadata(groupId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = offsets(OffsetSpec.latest());
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
                        start = offsets(OffsetSpec.earliest());
                    }
                    waiting[p] = Math.max(0, end - start.get(tp).offset());
                } else {
                    waiting[p] = uncommitted == Uncommitted.NOTHING ? 0 : UNKNOWN;
                }
            }
            last = new Look(waiting, began, number);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while asking for the backlog of " + partitions, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new KafkaException("the broker did not tell the backlog of " + partitions + " for group "
                    + groupId + " within " + timeout + ": " + cause, cause);
        }
    }

    private Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets(OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
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
