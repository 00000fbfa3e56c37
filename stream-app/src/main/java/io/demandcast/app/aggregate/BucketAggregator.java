package io.demandcast.app.aggregate;

import io.demandcast.app.cycle.ForecastBatch;
import io.demandcast.app.cycle.ForecastCycle;
import io.demandcast.app.eventtime.BrokerBacklog;
import io.demandcast.app.eventtime.BucketClock;
import io.demandcast.app.eventtime.CloseHorizon;
import io.demandcast.app.eventtime.IntakeBacklog;
import io.demandcast.app.eventtime.UpstreamClock;
import io.demandcast.app.ingest.DeadLetters;
import io.demandcast.app.ingest.OriginWatermark;
import io.demandcast.app.ingest.RecordTimestamps;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.app.ingest.SalesEvent;
import io.demandcast.app.ingest.SeriesSale;
import io.demandcast.app.metrics.PipelineMetrics;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.registry.ForecastEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Per-series bucketed sales with our own bucket clock. Each record of a series adds to its open bucket; when the
 * event-time protocol ({@link io.demandcast.app.eventtime}, asked through {@link CloseHorizon}) lets a bucket close,
 * it closes for every series the task knows (a series without sales in it gets a zero bucket), each closed bucket
 * is published and appended to the series' bounded history, and the forecast cycle forecasts all of them. A record
 * in a closed bucket is late: counted and dead-lettered. Series silent for {@code retireAfter} buckets are dropped so
 * state stays bounded (their last forecast stays queryable for {@code retireAfter} more buckets); one that sells
 * again starts a fresh history.
 *
 * <p>Everything that decides what to emit lives in changelogged stores and outputs are a function of the input
 * order alone, so under exactly-once every closed bucket comes out once, however fast the input is replayed.
 */
public final class BucketAggregator implements Processor<String, SalesEvent, Object, Object> {

    /** The processor's name in the topology; its sinks are its children. */
    public static final String NAME = "bucket-aggregator";
    /** Sink of closed buckets ({@code sales-actuals}): series key, {@code SalesBucket}. */
    public static final String ACTUALS_SINK = "sales-actuals-sink";
    /** Sink of forecasts ({@code forecasts}): series key, the forecast's bytes in the topic's wire format. */
    public static final String FORECASTS_SINK = "forecasts-sink";
    /** Sink of late records ({@code orders-dlq}): the order's key bytes, {@code DeadLetter}. */
    public static final String LATE_SINK = "late-dlq-sink";

    /** The task's bucket clock: each upstream partition's event time and the next bucket to close. */
    public static final String CLOCK_STORE = "bucket-clock";
    /** Series key -> the sums of its open buckets ({@link SeriesTally}), for series with orders in them only. */
    public static final String OPEN_BUCKETS_STORE = "open-buckets";
    /**
     * Series key -> the buckets closed since its body, last active bucket and latest forecast ({@link SeriesState}):
     * what every close rewrites, and the forecast REST answers with. Its changelog is
     * {@code <application.id>-series-state-changelog}.
     */
    public static final String SERIES_STATE_STORE = "series-state";
    /**
     * Series key -> the body of its history ({@link SalesRing}): the closed buckets before its state's tail, up to
     * {@code history.length}. Rewritten only when the tail is folded into it, once every {@link #FOLD_MIN} to
     * {@link #FOLD_MAX} closes (spread over series by key), so that a close writes a few buckets per series, not
     * the whole history.
     */
    public static final String SERIES_HISTORY_STORE = "series-history";
    /**
     * Series key -> the last forecast of a retired series, for REST: {@link #RETIRED_MARK}, the bucket it retired
     * at (8 bytes), then the forecast in the wire format of {@code forecasts}. Kept for {@code retireAfter} more
     * buckets, so the store is bounded by the series that retire in that span, not by every series ever seen.
     */
    public static final String RETIRED_FORECASTS_STORE = "retired-forecasts";
    /**
     * First byte of a retired forecast written with its retirement bucket. The wire format starts with the
     * registry's magic byte 0: a value that starts with it was written before retention, and its retention starts
     * at the next purge.
     */
    static final byte RETIRED_MARK = 1;
    /** Closes between two purges of expired retired forecasts (a purge reads the whole retired store). */
    private static final int PURGE_EVERY_CLOSES = 8;

    /** The fewest and most buckets a tail holds before it is folded into its body (see {@link #foldAt}). */
    public static final int FOLD_MIN = 8;
    public static final int FOLD_MAX = 16;

    private static final String CLOCK_KEY = "clock";
    /** Series a close forecasts at once, in multiples of the model's batch: bounds what a close holds in memory. */
    private static final int CLOSE_PART = 4096;

    /**
     * The settings of the aggregation; {@code orderPartitions} is how many {@code orders} partitions (intake tasks)
     * feed the aggregating tasks, each of which a bucket waits for before it closes; {@code timestamps} are the
     * record timestamps the broker accepts, for what the aggregator writes.
     */
    public record Settings(Bucket bucket, Duration grace, int historyLength, int retireAfter,
                           Duration wallclockCloseInterval, int orderPartitions, RecordTimestamps timestamps) {
    }

    private final Settings settings;
    private final ForecastCycle cycle;
    private final ForecastEncoder forecastEncoder;
    private final String forecastTopic;
    private final PipelineMetrics metrics;
    /** What each orders partition still holds for its intake task: an idle origin with records waiting is waited for. */
    private final IntakeBacklog backlog;
    private final int closePart;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, byte[]> clockStore;
    private KeyValueStore<String, SeriesTally> tallies;
    private KeyValueStore<String, SeriesState> states;
    private KeyValueStore<String, SalesRing> bodies;
    private KeyValueStore<String, byte[]> retiredForecasts;
    /** What the task heard from upstream, and the next bucket to close: stored in {@link #CLOCK_STORE}. */
    private BucketClock clock;
    /** Up to which event time buckets may close: the protocol's answer from {@link #clock}. */
    private UpstreamClock upstream;
    /** Closes since this task's last purge of retired forecasts (not stored: a purge is idempotent). */
    private int closesSincePurge = PURGE_EVERY_CLOSES;

    /**
     * @param forecastSerializer the value serializer of {@code forecastTopic} ({@code forecasts}): each forecast is
     *                           encoded once in its wire format (through {@link ForecastEncoder}, from the model's
     *                           numbers) and published as those bytes; the series' state keeps it compact
     *                           ({@link CompactForecast})
     */
    public BucketAggregator(Settings settings, ForecastCycle cycle, Serializer<Forecast> forecastSerializer,
                            String forecastTopic, IntakeBacklog backlog, PipelineMetrics metrics) {
        this.settings = settings;
        this.backlog = backlog;
        this.cycle = cycle;
        this.forecastEncoder = ForecastEncoder.over(forecastSerializer);
        this.forecastTopic = forecastTopic;
        this.metrics = metrics;
        int batch = cycle.batchSize();
        this.closePart = Math.max(1, CLOSE_PART / batch) * batch;
    }

    public static List<StoreBuilder<?>> stores() {
        return List.of(
                // Cached, as the open sums: the clock moves with most sales, and is written once a commit.
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CLOCK_STORE), Serdes.String(),
                        Serdes.ByteArray()).withCachingEnabled(),
                // Cached: a series' sales between two commits cost one store write and one changelog record. A store
                // builder's caching is off unless asked for.
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OPEN_BUCKETS_STORE), Serdes.String(),
                        new SeriesTally.StoreSerde()).withCachingEnabled(),
                // Not cached: every close rewrites every series' state, so a cache only adds a copy before the flush
                // (and at 100,000 series it overflows and evicts anyway).
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SERIES_STATE_STORE), Serdes.String(),
                        new SeriesState.StoreSerde()).withCachingDisabled(),
                // Not cached: a close reads it with an iterator beside the states' and writes the folded bodies
                // while it iterates, which RocksDB's iterators (as of their creation) allow and a cache's do not.
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SERIES_HISTORY_STORE), Serdes.String(),
                        new SalesRing.StoreSerde()).withCachingDisabled(),
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RETIRED_FORECASTS_STORE), Serdes.String(),
                        Serdes.ByteArray()).withCachingDisabled());
    }

    /**
     * The latest forecast of {@code series} as it was published, from the stores of the task that holds it (as REST
     * reads them); null when it has none. {@code bucket} is the app's bucket; {@code decoder} reads the wire format
     * of {@code topic} ({@code forecasts}), in which retired series' forecasts are kept.
     */
    public static Forecast latestForecast(ReadOnlyKeyValueStore<String, SeriesState> states,
                                          ReadOnlyKeyValueStore<String, byte[]> retired, String series,
                                          Bucket bucket, Deserializer<Forecast> decoder, String topic) {
        SeriesState state = states.get(series);
        if (state != null && state.hasForecast()) {
            return state.latestForecast(series, bucket, decoder, topic);
        }
        // A retired series keeps its last forecast there; a live one is always found above, because retirement
        // writes that store before it deletes the state.
        byte[] bytes = retired.get(series);
        if (bytes == null) {
            return null;
        }
        return decoder.deserialize(topic, bytes.length > 0 && bytes[0] == RETIRED_MARK
                ? Arrays.copyOfRange(bytes, 1 + Long.BYTES, bytes.length) : bytes);
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.clockStore = context.getStateStore(CLOCK_STORE);
        this.tallies = context.getStateStore(OPEN_BUCKETS_STORE);
        this.states = context.getStateStore(SERIES_STATE_STORE);
        this.bodies = context.getStateStore(SERIES_HISTORY_STORE);
        this.retiredForecasts = context.getStateStore(RETIRED_FORECASTS_STORE);
        clock = BucketClock.restore(settings.bucket(), settings.orderPartitions(), clockStore.get(CLOCK_KEY));
        upstream = new UpstreamClock(clock, context.taskId().partition(), settings.grace(), backlog,
                context::currentSystemTimeMs);
        // As often as the backlog is looked up: a close past an idle partition waits for the next look (see
        // UpstreamClock#closableUpTo), and a quiet stream has no records to ask again.
        Duration interval = settings.wallclockCloseInterval();
        Duration every = BrokerBacklog.period(interval);
        context.schedule(every.compareTo(interval) < 0 ? every : interval, PunctuationType.WALL_CLOCK_TIME,
                this::onWallClock);
    }

    @Override
    public void process(Record<String, SalesEvent> record) {
        long now = context.currentSystemTimeMs();
        if (record.value() instanceof OriginWatermark w) {
            if (upstream.observeWatermark(w.originPartition(), w.eventTime(), w.idle(), now)) {
                saveClock();
            }
            closeUpTo(upstream.closableUpTo(now));
            return;
        }
        SeriesSale sale = (SeriesSale) record.value();
        upstream.heard(now);
        long t = sale.eventTime();
        if (clock.isLate(t)) {
            refuseLate(sale);
            return;
        }
        long bucketStart = clock.floor(t);
        SeriesTally tally = tallies.get(sale.series());
        if (tally == null) {
            tally = SeriesTally.empty();
        }
        tally.add(bucketStart, sale);
        tallies.put(sale.series(), tally);
        if (upstream.observeSale(sale.origin().partition(), t)) {
            saveClock();
        }
        closeUpTo(upstream.closableUpTo(now));
    }

    private void onWallClock(long now) {
        closeUpTo(upstream.closableUpTo(now));
    }

    /** Closes every bucket that ends at or before {@code horizon} (a {@link CloseHorizon}'s answer), in order. */
    private void closeUpTo(long horizon) {
        long b;
        while ((b = clock.closable(horizon)) != BucketClock.UNSET) {
            int known = closeBucket(b);
            clock.closed(b);
            if (known == 0) {
                // No series to zero-fill: jump over the empty stretch instead of walking it bucket by bucket.
                clock.skipTo(horizon);
            }
            saveClock();
        }
    }

    /**
     * Closes bucket {@code b} for every series known by then, {@link #closePart} series at a time: each part is
     * collected into one {@link ClosingPart}, forecast in one call to the cycle, then emitted. Returns how many series
     * the task holds.
     */
    private int closeBucket(long b) {
        Map<String, SeriesTally> selling = openSums();
        ClosingPart part = new ClosingPart(b);
        int known = 0;
        int retired = 0;
        try (ForecastCycle.Run run = cycle.start()) {
            // Neither store is cached and a RocksDB iterator reads the data as of its creation, so writing each
            // part's states and bodies while iterating is safe. Both iterate in the stores' key order, so a series'
            // body is found by walking the bodies beside the states.
            try (KeyValueIterator<String, SeriesState> it = states.all();
                 KeyValueIterator<String, SalesRing> bodyIt = bodies.all()) {
                while (it.hasNext()) {
                    KeyValue<String, SeriesState> kv = it.next();
                    known++;
                    SalesRing body = null;
                    while (bodyIt.hasNext() && storeOrder(bodyIt.peekNextKey(), kv.key) < 0) {
                        bodyIt.next(); // a body without a state: never written so; nothing reads it
                    }
                    if (bodyIt.hasNext() && bodyIt.peekNextKey().equals(kv.key)) {
                        body = bodyIt.next().value;
                    }
                    part.add(kv.key, kv.value, body, selling.remove(kv.key));
                    retired += part.emitIfFull(run);
                }
            }
            // Series closing their first bucket.
            for (Map.Entry<String, SeriesTally> e : selling.entrySet()) {
                long first = e.getValue().firstOpen();
                known++;
                if (first != BucketClock.UNSET && first <= b) {
                    part.add(e.getKey(), SeriesState.fresh(first), null, e.getValue());
                    retired += part.emitIfFull(run);
                }
            }
            retired += part.emitRest(run);
        }
        if (part.closed() > 0) {
            // A close of a task that knows no series yet publishes nothing: not counted as a closed bucket.
            metrics.bucketClosed();
        }
        metrics.seriesActive(context.taskId().toString(), known - retired);
        if (++closesSincePurge >= PURGE_EVERY_CLOSES) {
            closesSincePurge = 0;
            purgeRetired(b);
        }
        return known;
    }

    /**
     * How the stores order keys: by their UTF-8 bytes (Kafka's String serde), which is code point order. It differs
     * from {@link String#compareTo} only where a surrogate (of a code point above U+FFFF) meets a char of
     * U+E000..U+FFFF: UTF-8 puts the code point above, UTF-16 below.
     */
    static int storeOrder(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return Integer.compare(codePointRank(x), codePointRank(y));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** Moves surrogates above U+E000..U+FFFF, keeping the order within each range. */
    private static int codePointRank(char c) {
        if (c < Character.MIN_SURROGATE) {
            return c;
        }
        return c <= Character.MAX_SURROGATE ? c + 0x2000 : c - 0x800;
    }

    /**
     * How many buckets {@code series}' tail holds when it is folded into its body: {@link #FOLD_MIN} to {@link
     * #FOLD_MAX} by its key, so that series that started together do not all rewrite their bodies at the same
     * close; never more than {@code history.length}.
     */
    int foldAt(String series) {
        int spread = FOLD_MIN + Math.floorMod(series.hashCode(), FOLD_MAX - FOLD_MIN + 1);
        return Math.min(spread, settings.historyLength());
    }

    /**
     * The sums of the open buckets, whole: only series with orders in open buckets have them, and the cached store's
     * iterator must not see the close's writes.
     */
    private Map<String, SeriesTally> openSums() {
        Map<String, SeriesTally> selling = new LinkedHashMap<>();
        try (KeyValueIterator<String, SeriesTally> it = tallies.all()) {
            while (it.hasNext()) {
                KeyValue<String, SeriesTally> kv = it.next();
                selling.put(kv.key, kv.value);
            }
        }
        return selling;
    }

    /**
     * Deletes the retired forecasts that retired more than {@code retireAfter} buckets before {@code b}; one written
     * before retention (no mark) is marked as retired at {@code b}.
     */
    private void purgeRetired(long b) {
        List<String> expired = new ArrayList<>();
        Map<String, byte[]> unmarked = new LinkedHashMap<>();
        try (KeyValueIterator<String, byte[]> it = retiredForecasts.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.value.length > Long.BYTES && kv.value[0] == RETIRED_MARK) {
                    long retiredAt = ByteBuffer.wrap(kv.value, 1, Long.BYTES).getLong();
                    if (clock.between(retiredAt, b) > settings.retireAfter()) {
                        expired.add(kv.key);
                    }
                } else {
                    unmarked.put(kv.key, marked(b, kv.value));
                }
            }
        }
        for (String key : expired) {
            retiredForecasts.put(key, null);
        }
        unmarked.forEach(retiredForecasts::put);
    }

    /** A retired forecast's stored value: the mark, the bucket it retired at, its wire bytes. */
    static byte[] marked(long retiredAt, byte[] encoded) {
        return ByteBuffer.allocate(1 + Long.BYTES + encoded.length).put(RETIRED_MARK).putLong(retiredAt)
                .put(encoded).array();
    }

    /**
     * Up to {@link #closePart} series of one bucket's close, as columns: {@link #add} closes the bucket in each
     * series' sums and history, the cycle forecasts {@link #histories} at once, and {@link #emit} publishes each
     * series' actual and forecast and writes its state, forecast included, once.
     */
    private final class ClosingPart {
        final long bucket;
        final Instant bucketStart;
        final Instant bucketEnd;
        /** The outputs' record timestamp: the bucket's end, where the broker accepts it. */
        final long stamp;
        /** Wall-clock time of the close, written in every forecast as {@code producedAt}. */
        final long producedAt;
        final String[] keys = new String[closePart];
        final SeriesState[] seriesStates = new SeriesState[closePart];
        /** The series' new body, when its tail was folded into it by this close; else null. */
        final SalesRing[] folded = new SalesRing[closePart];
        /** Whether the series had a stored body (deleted with its state on retirement). */
        final boolean[] hadBody = new boolean[closePart];
        final SeriesHistory[] histories = new SeriesHistory[closePart];
        /** The bucket's sums; {@code zeroFilled[i]} when series i had no order in it. */
        final double[] units = new double[closePart];
        final double[] revenue = new double[closePart];
        final int[] orders = new int[closePart];
        /** The mean sold price, NaN when nothing was sold. */
        final double[] meanPrice = new double[closePart];
        final boolean[] zeroFilled = new boolean[closePart];
        /** Silent for {@code retireAfter} buckets: its state goes once its last forecast is out. */
        final boolean[] retiring = new boolean[closePart];
        int size;
        /** Series closed by this close, over all its parts. */
        int closed;

        ClosingPart(long bucket) {
            this.bucket = bucket;
            this.bucketStart = Instant.ofEpochMilli(bucket);
            long end = clock.next(bucket);
            this.bucketEnd = Instant.ofEpochMilli(end);
            this.producedAt = context.currentSystemTimeMs();
            this.stamp = settings.timestamps().bound(end, producedAt);
        }

        int size() {
            return size;
        }

        int closed() {
            return closed;
        }

        List<SeriesHistory> histories() {
            return Arrays.asList(histories).subList(0, size);
        }

        /**
         * Closes the bucket in one series' sums and history; {@code body} is null when it has no stored body yet,
         * {@code tally} when it has no order in an open bucket.
         */
        void add(String key, SeriesState state, SalesRing body, SeriesTally tally) {
            int i = size++;
            closed++;
            SeriesTally.Sums sums = tally == null ? null : tally.take(bucket);
            keys[i] = key;
            seriesStates[i] = state;
            zeroFilled[i] = sums == null;
            units[i] = sums == null ? 0.0 : sums.units();
            revenue[i] = sums == null ? 0.0 : sums.revenue();
            orders[i] = sums == null ? 0 : sums.orders();
            meanPrice[i] = sums == null ? Double.NaN : sums.meanPrice();
            if (sums != null) {
                state.active(bucket);
                // Only a series with orders in this bucket has its open sums changed; most sell nothing most buckets.
                // A null value deletes, without the read of the old value that delete() makes.
                tallies.put(key, tally.hasOpenBuckets() ? tally : null);
            }
            SalesRing tail = state.tail();
            int tailLength = tail.length();
            SalesRing whole = body == null ? tail : SalesRing.joined(clock, body, tail);
            whole.append(clock, bucket, units[i], meanPrice[i], settings.historyLength());
            hadBody[i] = body != null;
            if (tailLength + 1 >= foldAt(key)) {
                folded[i] = whole;
                state.tail(whole.emptied());
            } else {
                folded[i] = null;
                state.tail(whole.last(clock, tailLength + 1));
            }
            retiring[i] = (tally == null || !tally.hasOpenBuckets())
                    && clock.between(state.lastActiveBucket(), bucket) >= settings.retireAfter();
            histories[i] = whole.toHistory(key, settings.bucket());
        }

        /**
         * Publishes each series' actual and its forecast from {@code forecasts} (row i for series i) and writes its
         * state with that forecast, or retires it; returns how many retired.
         */
        int emit(ForecastBatch forecasts) {
            int retired = 0;
            for (int i = 0; i < size; i++) {
                String key = keys[i];
                // The all-fields constructor: a builder checks and defaults each field, 100,000 times per close.
                SalesBucket actual = new SalesBucket(key, bucketStart, bucketEnd, units[i], revenue[i], orders[i],
                        Double.isNaN(meanPrice[i]) ? null : meanPrice[i], zeroFilled[i]);
                context.forward(new Record<>(key, actual, stamp), ACTUALS_SINK);
                metrics.actualPublished();

                ForecastEncoder.Steps steps = forecasts.steps(i);
                String version = forecasts.modelVersion(i);
                String method = forecasts.method(i);
                byte[] encoded = forecastEncoder.encode(forecastTopic, key, bucket, steps, version, method,
                        producedAt);
                if (retiring[i]) {
                    // Its last forecast stays queryable; written before the state goes (see latestForecast).
                    retiredForecasts.put(key, marked(bucket, encoded));
                    states.delete(key);
                    if (hadBody[i]) {
                        bodies.put(key, null);
                    }
                    retired++;
                    metrics.seriesRetired();
                } else {
                    SeriesState state = seriesStates[i];
                    state.latestForecast(CompactForecast.encode(bucket, steps, version, method, producedAt));
                    if (folded[i] != null) {
                        bodies.put(key, folded[i]);
                    }
                    states.put(key, state);
                }
                context.forward(new Record<>(key, encoded, stamp), FORECASTS_SINK);
                metrics.forecastPublished();
            }
            return retired;
        }

        /** Once the part holds {@link #closePart} series: forecasts them, emits and empties; returns retirements. */
        int emitIfFull(ForecastCycle.Run run) {
            return size == closePart ? emitRest(run) : 0;
        }

        /** Forecasts the series the part holds in one call, emits them and empties it; returns retirements. */
        int emitRest(ForecastCycle.Run run) {
            if (size == 0) {
                return 0;
            }
            int retired = emit(run.forecast(histories()));
            clear();
            return retired;
        }

        /** Empties the part for the close's next series. */
        void clear() {
            Arrays.fill(keys, 0, size, null);
            Arrays.fill(seriesStates, 0, size, null);
            Arrays.fill(folded, 0, size, null);
            Arrays.fill(histories, 0, size, null);
            size = 0;
        }
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
        String orderKey = sale.origin().key();
        context.forward(new Record<>(orderKey == null ? null : orderKey.getBytes(StandardCharsets.UTF_8), letter,
                settings.timestamps().bound(t, context.currentSystemTimeMs())), LATE_SINK);
    }

    private void saveClock() {
        clockStore.put(CLOCK_KEY, clock.toBytes());
    }
}
