package io.demandcast.app.aggregate;

import io.demandcast.app.cycle.ForecastCycle;
import io.demandcast.app.ingest.DeadLetters;
import io.demandcast.app.ingest.OriginWatermark;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.ingest.SalesEvent;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.app.topology.PipelineMetrics;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.SalesBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Per-series bucketed sales with our own bucket clock (see {@link BucketClock}). Each record of a series adds to
 * its open bucket; when the slowest upstream partition's event time (known from its sales and its watermarks)
 * passes a bucket's end plus grace, the bucket closes for every
 * series the task knows (a series without sales in it gets a zero bucket), each closed bucket is published and
 * appended to the series' bounded history, and the forecast cycle forecasts all of them. A record in a closed
 * bucket is late: counted and dead-lettered. Series silent for {@code retireAfter} buckets are dropped so state
 * stays bounded; one that sells again starts a fresh history.
 *
 * <p>Everything that decides what to emit lives in changelogged stores and outputs are a function of the input
 * order alone, so under exactly-once every closed bucket comes out once, however fast the input is replayed.
 */
public final class BucketAggregator implements Processor<String, SalesEvent, String, BucketOutput> {

    /** The task's bucket clock: each upstream partition's event time and the next bucket to close. */
    public static final String CLOCK_STORE = "bucket-clock";
    /** Series key -> its open buckets ({@link SeriesTally}). */
    public static final String OPEN_BUCKETS_STORE = "open-buckets";
    /** Series key -> its closed buckets ({@link SalesRing}), the history the model sees. */
    public static final String HISTORY_STORE = "sales-history";

    private static final String CLOCK_KEY = "clock";

    /**
     * The settings of the aggregation; {@code orderPartitions} is how many {@code orders} partitions (intake tasks)
     * feed the aggregating tasks, each of which a bucket waits for before it closes.
     */
    public record Settings(Bucket bucket, Duration grace, int historyLength, int retireAfter,
                           Duration wallclockCloseInterval, int orderPartitions) {
    }

    private final Settings settings;
    private final ForecastCycle cycle;
    private final PipelineMetrics metrics;
    private ProcessorContext<String, BucketOutput> context;
    private KeyValueStore<String, byte[]> clockStore;
    private KeyValueStore<String, SeriesTally> tallies;
    private KeyValueStore<String, SalesRing> histories;
    private BucketClock clock;
    /** Wall-clock time of the last sale or watermark of an origin that is not idle. */
    private long lastRecordWallClock;

    public BucketAggregator(Settings settings, ForecastCycle cycle, PipelineMetrics metrics) {
        this.settings = settings;
        this.cycle = cycle;
        this.metrics = metrics;
    }

    public static List<StoreBuilder<?>> stores() {
        return List.of(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CLOCK_STORE), Serdes.String(),
                        Serdes.ByteArray()),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OPEN_BUCKETS_STORE), Serdes.String(),
                        new SeriesTally.StoreSerde()),
                // Not cached: every close rewrites every series' ring, so a cache only adds a copy before the flush
                // (and at 100,000 series it overflows and evicts anyway).
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HISTORY_STORE), Serdes.String(),
                        new SalesRing.StoreSerde()).withCachingDisabled());
    }

    @Override
    public void init(ProcessorContext<String, BucketOutput> context) {
        this.context = context;
        this.clockStore = context.getStateStore(CLOCK_STORE);
        this.tallies = context.getStateStore(OPEN_BUCKETS_STORE);
        this.histories = context.getStateStore(HISTORY_STORE);
        clock = BucketClock.restore(settings.bucket(), settings.grace(), settings.orderPartitions(),
                clockStore.get(CLOCK_KEY));
        lastRecordWallClock = context.currentSystemTimeMs();
        context.schedule(settings.wallclockCloseInterval(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, SalesEvent> record) {
        if (record.value() instanceof OriginWatermark w) {
            if (!w.idle()) {
                lastRecordWallClock = context.currentSystemTimeMs();
            }
            if (clock.observeWatermark(w.originPartition(), w.eventTime(), w.idle())) {
                saveClock();
            }
            closeUpTo(closeTime(context.currentSystemTimeMs()));
            return;
        }
        SeriesSale sale = (SeriesSale) record.value();
        lastRecordWallClock = context.currentSystemTimeMs();
        long t = sale.eventTime();
        if (clock.isLate(t)) {
            refuseLate(sale);
            return;
        }
        long bucketStart = clock.floor(t);
        SeriesTally tally = tallies.get(sale.series());
        if (tally == null) {
            tally = SeriesTally.startingAt(bucketStart);
        }
        tally.add(bucketStart, sale);
        tallies.put(sale.series(), tally);
        if (clock.observeSale(sale.origin().partition(), t)) {
            saveClock();
        }
        closeUpTo(closeTime(lastRecordWallClock));
    }

    /**
     * Buckets close up to the slowest upstream partition that is not idle. When all are idle the stream is quiet
     * and still closes its buckets: event time is taken to move on with the wall clock from the last record.
     * During a fast replay records keep coming, so this adds nearly nothing.
     */
    private long closeTime(long now) {
        if (clock.allIdle()) {
            long latest = clock.streamTime();
            return latest == BucketClock.UNSET ? latest : latest + Math.max(0, now - lastRecordWallClock);
        }
        return clock.slowestOrigin();
    }

    private void onWallClock(long now) {
        closeUpTo(closeTime(now));
    }

    private void closeUpTo(long time) {
        long b;
        while ((b = clock.closable(time)) != BucketClock.UNSET) {
            int known = closeBucket(b);
            clock.closed(b);
            if (known == 0) {
                // No series to zero-fill: jump over the empty stretch instead of walking it bucket by bucket.
                clock.skipTo(time);
            }
            saveClock();
        }
    }

    /** Closes bucket {@code b} for every series known by then; returns how many series the task holds. */
    private int closeBucket(long b) {
        long end = clock.next(b);
        long now = context.currentSystemTimeMs();
        // Read all first: the store is written below and a cached store's iterator must not see its own writes.
        List<KeyValue<String, SeriesTally>> all = new ArrayList<>();
        try (KeyValueIterator<String, SeriesTally> it = tallies.all()) {
            it.forEachRemaining(all::add);
        }
        Instant bucketStart = Instant.ofEpochMilli(b);
        Instant bucketEnd = Instant.ofEpochMilli(end);
        List<SeriesHistory> toForecast = new ArrayList<>();
        int retired = 0;
        for (KeyValue<String, SeriesTally> entry : all) {
            String series = entry.key;
            SeriesTally tally = entry.value;
            if (tally.firstBucket() > b) {
                continue;
            }
            SeriesTally.Sums sums = tally.take(b);
            // The all-fields constructor: a builder checks and defaults each field, 100,000 times per close.
            SalesBucket actual = new SalesBucket(series, bucketStart, bucketEnd,
                    sums == null ? 0.0 : sums.units(),
                    sums == null ? 0.0 : sums.revenue(),
                    sums == null ? 0 : sums.orders(),
                    sums == null || Double.isNaN(sums.meanPrice()) ? null : sums.meanPrice(),
                    sums == null);
            context.forward(new Record<>(series, (BucketOutput) new BucketOutput.Actual(actual), end));
            metrics.actualPublished();
            SalesRing ring = histories.get(series);
            if (ring == null) {
                ring = SalesRing.empty();
            }
            ring.append(clock, b, actual.getUnits(), sums == null ? Double.NaN : sums.meanPrice(),
                    settings.historyLength());
            toForecast.add(ring.toHistory(series, settings.bucket()));
            boolean silent = !tally.hasOpenBuckets()
                    && clock.between(tally.lastActiveBucket(), b) >= settings.retireAfter();
            if (silent) {
                tallies.delete(series);
                histories.delete(series);
                retired++;
                metrics.seriesRetired();
            } else {
                if (sums != null) {
                    // Only a bucket with sales changes the tally; most series sell nothing in most buckets.
                    tallies.put(series, tally);
                }
                histories.put(series, ring);
            }
        }
        List<Forecast> forecasts = cycle.forecast(toForecast, Instant.ofEpochMilli(b), now);
        for (Forecast f : forecasts) {
            context.forward(new Record<>(f.getSeries(), (BucketOutput) new BucketOutput.Forecasted(f), end));
            metrics.forecastPublished();
        }
        if (!toForecast.isEmpty()) {
            // A close of a task that knows no series yet publishes nothing: not counted as a closed bucket.
            metrics.bucketClosed();
        }
        metrics.seriesActive(context.taskId().toString(), all.size() - retired);
        return all.size();
    }

    private void refuseLate(SeriesSale sale) {
        metrics.lateRecord();
        metrics.deadLetter(Rejection.LATE);
        long t = sale.eventTime();
        String detail = "series " + sale.series() + ": " + sale.units() + " units at " + Instant.ofEpochMilli(t)
                + " (order " + sale.origin().key() + ") fall in bucket " + Instant.ofEpochMilli(clock.floor(t))
                + ", closed before " + Instant.ofEpochMilli(clock.nextToClose()) + " with grace " + settings.grace()
                + "; " + clock;
        // The order's bytes stay on the orders topic at the origin's offset; the repartitioned line has lost them.
        var letter = DeadLetters.of(Rejection.of(Rejection.LATE, detail), null, sale.origin(),
                context.currentSystemTimeMs());
        context.forward(new Record<>(sale.series(), (BucketOutput) new BucketOutput.Late(letter, sale.origin().key()),
                t));
    }

    private void saveClock() {
        clockStore.put(CLOCK_KEY, clock.toBytes());
    }
}
