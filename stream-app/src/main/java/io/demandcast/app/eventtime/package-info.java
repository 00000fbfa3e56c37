/**
 * Event time: when a bucket may close. The aggregating tasks ask one question, {@link
 * io.demandcast.app.eventtime.CloseHorizon#closableUpTo}: up to which event time may buckets close now? A bucket
 * closes once its end is at or before the answer; everything this page describes is in that answer.
 *
 * <h2>Why a protocol</h2>
 * One intake task per {@code orders} partition (its <em>origin</em>) reads at its own pace, and the sales of all of
 * them reach each aggregating task interleaved through the repartition topic; in a fast replay one partition is
 * often days of event time ahead of another. The latest event time an aggregating task has seen (Kafka Streams'
 * stream time of the task) says nothing about the slower origins, and closing by it makes their sales late. So each
 * aggregating task keeps the position of every origin and closes by the slowest.
 *
 * <h2>Per-partition positions</h2>
 * <ul>
 * <li>An intake task's position is the latest event time of an order it accepted (stored in its
 *     {@code intake-watermark} store: validation judges orders by it too).
 * <li>{@link io.demandcast.app.eventtime.OriginProgress} decides when the task tells its position: with its first
 *     order after a start, each time the position passes a close point (a bucket's end plus grace), when the task
 *     goes idle and when it stops being idle. The message is {@code ingest.OriginWatermark} (origin, position, idle),
 *     written on the repartition topic beside the sales (layout 2 of {@code SalesEventSerde}).
 * <li>{@link io.demandcast.app.eventtime.WatermarkFanOut} sends each watermark to every partition of that topic
 *     (KIP-837 multicast): every aggregating task waits for every origin. Sales go by their series as before.
 * <li>Each aggregating task keeps a {@link io.demandcast.app.eventtime.BucketClock} in its {@code bucket-clock}
 *     store: each origin's position (from its sales and its watermarks), whether it said it is idle, and the next
 *     bucket to close. An origin never heard of is waited for (it may be starting): at start that is up to one
 *     {@code wallclock.close.interval}, until its first order or its idle notice. The app learns the partition
 *     count of {@code orders} at start; a partition added later is waited for from its first record on (restart
 *     the app after adding partitions).
 * </ul>
 *
 * <h2>Idle partitions: by the wall clock and by the broker's backlog</h2>
 * A partition that receives nothing must not hold every bucket back. An intake task is idle when it accepted no order
 * for a whole {@code wallclock.close.interval} (a wall-clock punctuation) AND its partition holds nothing more for it.
 * Idle means nothing to read, not nothing read: a busy stream thread (a long forecast cycle of another task) or a
 * loaded machine can leave a task without a turn for a whole interval while its records wait; taking it as idle would
 * let the other partitions close the buckets those records belong to, and they would come out {@code late}.
 * {@link io.demandcast.app.eventtime.BrokerBacklog} therefore asks the broker, from a thread of its own (a busy
 * stream thread must not stop the look-ups), every tenth of the interval (0.2 s to 5 s), for each partition's last
 * stable offset minus the offset the application's group committed. Not the consumer's {@code records-lag}: that is
 * measured at the last fetch, stale exactly while the thread is busy. A look older than one interval, or a broker
 * that does not answer, is {@link io.demandcast.app.eventtime.IntakeBacklog#UNKNOWN}: the wall clock alone decides
 * (a warning says so). A topology built without a backlog ({@code TopologyTestDriver}) uses
 * {@link io.demandcast.app.eventtime.IntakeBacklog#NOT_WATCHED}.
 *
 * <p>An idle origin is not waited for until it sends again. One that said it is idle but whose partition has records
 * waiting again is waited for by the aggregating tasks at once: its intake task may not be running (its instance
 * died after it went idle) and so cannot say so itself.
 *
 * <p>A look only counts the records written before it began. So a close that passes an idle origin waits for a look
 * begun after the records that moved the horizon that far were heard ({@link
 * io.demandcast.app.eventtime.IntakeBacklog#lookedSince}): orders written to the idle partition before them, the
 * same days in a replay, are then seen waiting. Orders its intake task read and committed before that look are not
 * waiting any more, but their sales and its watermark (no longer idle) may still be on the repartition topic, ahead
 * of the aggregating task. So the look also takes each repartition partition's last stable offset and how far the
 * application's group has read it, and the close waits, too, until the task's group read its partition up to
 * where it ended at that look ({@link io.demandcast.app.eventtime.IntakeBacklog#repartitionEnd}). Until then,
 * buckets close only as far as every origin, idle or not, has passed; the aggregating tasks ask again at each
 * record and once per look period. A close past an idle partition thus comes up to two look periods late, and up
 * to one commit interval more, until the group's commit passes that end. Without the fresh look, a takeover under load
 * (one instance killed while the orders of the next days were being written) closed days before the idle
 * partition's orders of those days were seen ({@code FailoverTest}).
 *
 * <h2>What a close waits for</h2>
 * {@link io.demandcast.app.eventtime.UpstreamClock} answers with
 * {@code min(slowest position of the origins waited for, wall clock) - grace}, or
 * {@link io.demandcast.app.eventtime.CloseHorizon#NONE} while an origin waited for has no position yet. So a bucket
 * closes when
 * <ul>
 * <li>every origin that is not idle (or is idle with records waiting) has passed its end plus grace: a sale can be
 *     late only if its own partition had already moved more than {@code grace} past its bucket, exactly as on one
 *     partition, however fast and unevenly the backlog is read;
 * <li>and the wall clock has passed its end plus grace: an order stamped ahead of the wall clock (within
 *     {@code max.future.skew}) waits in its open bucket instead of closing the days before it early.
 * </ul>
 * When every origin is idle the stream is quiet and still closes its buckets: event time moves on with the wall
 * clock from the latest position, counted from the last sale or non-idle watermark the task received. A sale for a
 * bucket already closed is {@code late} (counted and dead-lettered). Before the first close an earlier sale moves
 * the first bucket to close back, since nothing was published yet.
 *
 * <h2>Restarts</h2>
 * The bucket clock is changelogged, so a restored task closes exactly where it stopped: its stored layout (2, and
 * the legacy 16 bytes of one stream time) is a contract with every state already written. The intake's idle flag and
 * the aggregator's time of the last record are not stored: a restarted intake task announces itself with its next
 * order, or when it goes idle.
 *
 * <h2>Pitfalls this avoids (measured with Kafka Streams 4.4)</h2>
 * <ul>
 * <li>Kafka Streams' {@code EmitStrategy.onWindowClose()} looks for closed windows once per wall-clock second while
 *     the window store drops a window once stream time passes its retention: a year replayed fast lost about 6% of
 *     (product, day) results, silently. Here a close depends on stored positions only, never on when a timer looked
 *     ({@code ReplayTest}).
 * <li>Closing by one task's stream time makes the slower partitions' sales late ({@code UpstreamWatermarkTest}).
 * <li>Taking a starved task for an idle one ({@code IdleByBacklogTest}, {@code BrokerBacklogTest}).
 * <li>Passing an idle partition on a look older than the records that moved the horizon, or before reading the sales
 *     and watermark its intake task sent before that look ({@code UpstreamClockTest}, {@code BrokerBacklogTest}).
 * <li>A quiet partition never closing its buckets ({@code QuietPartitionTest}, {@code WallClockCloseTest}).
 * <li>A future-stamped order closing the days before it ({@code FutureStampedOrderTest}).
 * </ul>
 *
 * <p>Left as they are:
 * <ul>
 * <li>An intake task judges itself idle on a look up to one period old; the aggregating tasks' fresh look covers
 *     that.
 * <li>A partition without a committed offset counts from its log start ({@code auto.offset.reset=earliest}; with
 *     {@code latest} nothing waits).
 * <li>A partition whose intake task is not running is waited for, not skipped.
 * <li>An idle partition that then receives orders more than {@code grace} behind the others has them dead-lettered
 *     as {@code late}.
 * </ul>
 */
package io.demandcast.app.eventtime;
