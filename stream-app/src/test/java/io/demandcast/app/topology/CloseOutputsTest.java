package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.aggregate.BucketAggregator;
import io.demandcast.app.aggregate.SeriesState;
import io.demandcast.app.aggregate.SeriesTally;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.cycle.TestForecasters;
import io.demandcast.model.ForecastBlock;
import io.demandcast.model.Forecaster;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes a close writes, pinned: five weeks of the real Online Retail order log (sales and cancellations)
 * replayed through the topology with a model that returns non-finite values for some series and fails on some
 * batches, retirement and history bounds short enough to be reached, and close parts of more than one model batch.
 * The digest of every record on {@code sales-actuals}, {@code forecasts} and {@code orders-dlq} (key, value bytes,
 * timestamp, in order) was taken from the close path before it was rewritten as a columnar batch; a change to how a
 * close is computed must not change it. {@code -Dclose.dump=FILE} also writes each record's and each store entry's
 * digest to FILE, to find where two builds part.
 */
class CloseOutputsTest {

    /** SHA-256 of the outputs, from the callback-based close path (commit 30580c7). */
    private static final String EXPECTED = "748c4d89f53462d5c1977c9dd4d3677af87e8453c3f0197e8d6c77a6b4df9701";
    private static final Path DATA = SharedData.dir().resolve("online_retail");
    private static final String UNTIL = "2011-01-10";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path state;

    /** The mean model, with every fifth call failing: those batches fall back as a whole. */
    private static final class SometimesFailing implements Forecaster {
        private final TestForecasters.MeanModel mean = new TestForecasters.MeanModel("lstm", Set.of());
        private final Set<String> nan;
        private int calls;

        SometimesFailing(Set<String> nan) {
            this.nan = nan;
        }

        @Override
        public String method() {
            return "lstm";
        }

        @Override
        public List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon) {
            if (++calls % 5 == 0) {
                throw new IllegalStateException("call " + calls + " fails");
            }
            List<QuantileForecast> out = new ArrayList<>(mean.forecast(histories, horizon));
            for (int i = 0; i < out.size(); i++) {
                QuantileForecast f = out.get(i);
                if (nan.contains(f.series())) {
                    double[][] v = f.values().clone();
                    v[horizon / 2] = new double[] {0.0, Double.NaN, 1.0};
                    out.set(i, new QuantileForecast(f.series(), f.firstBucket(), f.quantiles(), v, f.method(),
                            f.modelVersion()));
                }
            }
            return out;
        }

        @Override
        public ForecastBlock forecastBlock(List<SeriesHistory> histories, int horizon) {
            return ForecastBlock.of(forecast(histories, horizon));
        }
    }

    private static List<OrderEvent> orders() throws IOException {
        List<OrderEvent> orders = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(DATA.resolve("order_lines.csv.gz"))), StandardCharsets.UTF_8))) {
            r.readLine();
            String current = null;
            String time = null;
            List<OrderLine> lines = new ArrayList<>();
            for (String row; (row = r.readLine()) != null; ) {
                String[] f = row.split(",", -1);
                if (f[3].compareTo(UNTIL) >= 0) {
                    break;
                }
                if (!f[0].equals(current)) {
                    add(orders, current, time, lines);
                    current = f[0];
                    time = f[3];
                    lines = new ArrayList<>();
                }
                double quantity = Math.abs(Double.parseDouble(f[2]));
                if (quantity > 0) {
                    lines.add(new OrderLine(f[1], quantity, Double.parseDouble(f[4])));
                }
            }
            add(orders, current, time, lines);
        }
        return orders;
    }

    private static void add(List<OrderEvent> orders, String id, String time, List<OrderLine> lines) {
        if (id != null && !lines.isEmpty()) {
            orders.add(new OrderEvent(id, LocalDateTime.parse(time, TIME).toInstant(ZoneOffset.UTC), null, null,
                    null, id.startsWith("C") ? OrderType.RETURN : OrderType.SALE, lines));
        }
    }

    @Test
    void aReplayOfFiveWeeksWritesTheSameBytesAsTheCloseItWasPinnedOn() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DATA), "the shared Online Retail data is not at " + DATA
                + "; skipping");
        List<OrderEvent> orders = orders();
        // Every 37th product's forecasts turn non-finite in the middle.
        Set<String> nan = new java.util.HashSet<>();
        orders.forEach(o -> o.getLines().forEach(l -> {
            if (Math.floorMod(l.getProductId().hashCode(), 37) == 0) {
                nan.add(l.getProductId());
            }
        }));
        ModelSlot slot = new ModelSlot();
        slot.swap(new SometimesFailing(nan), "v-pinned", null);
        Path dumpFile = System.getProperty("close.dump") == null ? null : Path.of(System.getProperty("close.dump"));
        MessageDigest all = MessageDigest.getInstance("SHA-256");
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "series.retire.after.buckets", "6",
                "history.length", "21", "batch.size", "700"), slot);
             PrintWriter dump = dumpFile == null ? new PrintWriter(java.io.Writer.nullWriter())
                     : new PrintWriter(Files.newBufferedWriter(dumpFile))) {
            List<String> names = List.of(p.config.topicNames().salesActuals(), p.config.topicNames().forecasts(),
                    p.config.topicNames().ordersDlq());
            List<TestOutputTopic<byte[], byte[]>> topics = names.stream().map(n -> raw(p, n)).toList();
            long records = 0;
            for (OrderEvent o : orders) {
                p.send(o);
                for (int t = 0; t < topics.size(); t++) {
                    for (TestRecord<byte[], byte[]> r : topics.get(t).readRecordsToList()) {
                        String head = names.get(t) + " " + (r.key() == null ? "-"
                                : new String(r.key(), StandardCharsets.UTF_8)) + " " + r.getRecordTime().toEpochMilli();
                        all.update(head.getBytes(StandardCharsets.UTF_8));
                        all.update(r.value());
                        dump.println(head + " " + hex(sha(r.value())));
                        records++;
                    }
                }
            }
            dumpStore(dump, p.driver.getKeyValueStore(BucketAggregator.SERIES_STATE_STORE),
                    new SeriesState.StoreSerde().serializer());
            dumpStore(dump, p.driver.getKeyValueStore(BucketAggregator.OPEN_BUCKETS_STORE),
                    new SeriesTally.StoreSerde().serializer());
            dumpStore(dump, p.driver.getKeyValueStore(BucketAggregator.RETIRED_FORECASTS_STORE),
                    Serdes.ByteArray().serializer());
            assertThat(records).as("records written").isGreaterThan(100_000);
            assertThat(p.metrics.seriesRetiredCount()).as("series retired").isPositive();
            assertThat(hex(all.digest())).isEqualTo(EXPECTED);
        }
    }

    private static TestOutputTopic<byte[], byte[]> raw(PipelineDriver p, String topic) {
        return p.driver.createOutputTopic(topic, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
    }

    private static <V> void dumpStore(PrintWriter dump, KeyValueStore<String, V> store, Serializer<V> serializer)
            throws NoSuchAlgorithmException {
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, V> kv = it.next();
                dump.println(store.name() + " " + kv.key + " " + hex(sha(serializer.serialize(store.name(),
                        kv.value))));
            }
        }
    }

    private static byte[] sha(byte[] bytes) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
