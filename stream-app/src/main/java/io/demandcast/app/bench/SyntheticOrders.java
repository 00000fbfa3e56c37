package io.demandcast.app.bench;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Utils;

/**
 * A deterministic stream of synthetic orders in event-time order: {@code days} days from {@code firstDay}, each
 * with {@code ordersPerDay} orders of {@code linesPerOrder} distinct products drawn with a Zipf-like popularity (a
 * few products sell every day, the tail a few times a week), quantities 1..10 and fixed prices per product.
 * Everything the bench later checks is worked out from the generated orders alone (see {@link Expected}).
 */
public record SyntheticOrders(int products, int days, int ordersPerDay, int linesPerOrder, long seed,
                              Instant firstDay) {

    public static final Instant DEFAULT_FIRST_DAY = Instant.parse("2025-01-01T00:00:00Z");
    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    public SyntheticOrders {
        if (products < 1 || days < 1 || ordersPerDay < 1 || linesPerOrder < 1) {
            throw new IllegalArgumentException("products, days, orders per day and lines per order must be >= 1; got "
                    + products + ", " + days + ", " + ordersPerDay + ", " + linesPerOrder);
        }
        if (linesPerOrder > products) {
            throw new IllegalArgumentException("lines per order (" + linesPerOrder + ") must not exceed products ("
                    + products + "): an order's lines are distinct products");
        }
    }

    /** The settings by name, for a report. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("products", products);
        m.put("days", days);
        m.put("ordersPerDay", ordersPerDay);
        m.put("linesPerOrder", linesPerOrder);
        m.put("seed", seed);
        m.put("firstDay", firstDay.toString());
        return m;
    }

    public long orderCount() {
        return (long) days * ordersPerDay;
    }

    public static String productId(int i) {
        return String.format("SKU%05d", i);
    }

    /** Calls {@code sink} with every order, in event-time order; the same orders on every call. */
    public void forEach(Consumer<OrderEvent> sink) {
        Random random = new Random(seed);
        double[] cumulative = new double[products];
        double sum = 0;
        for (int i = 0; i < products; i++) {
            sum += 1.0 / Math.pow(i + 1, 0.8);
            cumulative[i] = sum;
        }
        long n = 0;
        for (int d = 0; d < days; d++) {
            long dayStart = firstDay.toEpochMilli() + d * DAY_MS;
            long[] times = new long[ordersPerDay];
            for (int o = 0; o < ordersPerDay; o++) {
                times[o] = dayStart + (long) (random.nextDouble() * DAY_MS);
            }
            Arrays.sort(times);
            for (int o = 0; o < ordersPerDay; o++) {
                List<OrderLine> lines = new ArrayList<>(linesPerOrder);
                BitSet picked = new BitSet(products);
                while (lines.size() < linesPerOrder) {
                    int p = pick(cumulative, sum, random);
                    if (!picked.get(p)) {
                        picked.set(p);
                        lines.add(new OrderLine(productId(p), (double) (1 + random.nextInt(10)), 1.0 + p % 50));
                    }
                }
                sink.accept(OrderEvent.newBuilder()
                        .setOrderId("o" + (n++))
                        .setEventTime(Instant.ofEpochMilli(times[o]))
                        .setCustomerId(null)
                        .setChannel("web")
                        .setCountry("GB")
                        .setType(OrderType.SALE)
                        .setLines(lines)
                        .build());
            }
        }
    }

    private static int pick(double[] cumulative, double sum, Random random) {
        double u = random.nextDouble() * sum;
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The partition Kafka's default partitioner gives a String key, as the repartition by series does. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * What the orders must produce, given the partitions of the series repartition and the grace period.
     *
     * @param orders orders generated
     * @param seriesSales records after exploding orders into (series, units): one per distinct product per order
     * @param salesDays (product, day) pairs with at least one sale
     * @param closedDays (product, day) pairs from each product's first sale up to the last day its task closes,
     *                   zero days included: what {@code sales-actuals} must hold
     * @param closedSalesDays (product, day) pairs with a sale in a closed day: what an on-window-close count must
     *                        emit
     */
    public record Expected(long orders, long seriesSales, long salesDays, long closedDays, long closedSalesDays) {
    }

    /** Works out {@link Expected} while orders pass through (call {@link #accept} for each, then {@link #result}). */
    public static final class Tally implements Consumer<OrderEvent> {
        private final SyntheticOrders spec;
        private final int partitions;
        private final long graceMs;
        private final BitSet[] saleDays;
        private final long[] maxTimeByPartition;
        private long orders;
        private long seriesSales;

        public Tally(SyntheticOrders spec, int partitions, Duration grace) {
            this.spec = spec;
            this.partitions = partitions;
            this.graceMs = grace.toMillis();
            this.saleDays = new BitSet[spec.products()];
            this.maxTimeByPartition = new long[partitions];
            Arrays.fill(maxTimeByPartition, Long.MIN_VALUE);
        }

        @Override
        public void accept(OrderEvent order) {
            orders++;
            long t = order.getEventTime().toEpochMilli();
            int day = (int) Math.floorDiv(t - spec.firstDay().toEpochMilli(), DAY_MS);
            for (OrderLine line : order.getLines()) {
                seriesSales++;
                int p = Integer.parseInt(line.getProductId().substring(3));
                if (saleDays[p] == null) {
                    saleDays[p] = new BitSet(spec.days());
                }
                saleDays[p].set(day);
                int partition = partitionOf(line.getProductId(), partitions);
                maxTimeByPartition[partition] = Math.max(maxTimeByPartition[partition], t);
            }
        }

        public Expected result() {
            long salesDays = 0;
            long closedDays = 0;
            long closedSalesDays = 0;
            for (int p = 0; p < saleDays.length; p++) {
                BitSet days = saleDays[p];
                if (days == null) {
                    continue;
                }
                salesDays += days.cardinality();
                long streamTime = maxTimeByPartition[partitionOf(productId(p), partitions)];
                // A day closes once stream time reaches its end plus grace.
                int lastClosed = (int) Math.floorDiv(streamTime - graceMs - spec.firstDay().toEpochMilli(), DAY_MS) - 1;
                int first = days.nextSetBit(0);
                if (lastClosed >= first) {
                    closedDays += lastClosed - first + 1;
                    closedSalesDays += days.get(0, lastClosed + 1).cardinality();
                }
            }
            return new Expected(orders, seriesSales, salesDays, closedDays, closedSalesDays);
        }
    }
}
