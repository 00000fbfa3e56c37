package io.demandcast.app.topology;

import static io.demandcast.app.topology.PipelineDriver.line;
import static io.demandcast.app.topology.PipelineDriver.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.SalesBucket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Bad records of every class a producer can send, mixed at random into a stream of good orders: each bad record
 * goes to {@code orders-dlq} with the reason that names its class, and every closed (product, day) of the good
 * orders comes out once with exactly their units, as if the bad records had never been sent.
 */
class HostileInputPropertiesTest {

    private static final Instant DAY0 = Instant.parse("2011-01-03T00:00:00Z");
    private static final int DAYS = 12;
    private static final List<String> PRODUCTS = List.of("A", "B", "C");

    /** The classes of bad record, each with the reason its dead letter must carry. */
    enum Bad {
        GARBAGE(Rejection.DESERIALIZATION), TRUNCATED(Rejection.DESERIALIZATION), EMPTY(Rejection.DESERIALIZATION),
        TOMBSTONE(Rejection.DESERIALIZATION), NO_LINES(Rejection.NO_LINES), ZERO_QUANTITY(Rejection.BAD_QUANTITY),
        NEGATIVE_QUANTITY(Rejection.BAD_QUANTITY), ABSURD_QUANTITY(Rejection.BAD_QUANTITY),
        NAN_QUANTITY(Rejection.BAD_QUANTITY), NAN_PRICE(Rejection.BAD_PRICE), INFINITE_PRICE(Rejection.BAD_PRICE),
        NEGATIVE_PRICE(Rejection.BAD_PRICE), YEAR_1990(Rejection.BAD_TIME), YEAR_2100(Rejection.BAD_TIME),
        BLANK_PRODUCT(Rejection.MISSING_ID), BLANK_ORDER_ID(Rejection.MISSING_ID), UNKNOWN_TYPE(Rejection.UNKNOWN_TYPE),
        RESENT(Rejection.DUPLICATE);

        final String reason;

        Bad(String reason) {
            this.reason = reason;
        }
    }

    /** A good sale: product, minute of the replayed period, units. */
    record Sale(String product, int minute, int units) {
    }

    @Provide
    Arbitrary<List<Sale>> sales() {
        Arbitrary<Sale> sale = Combinators.combine(Arbitraries.of(PRODUCTS),
                Arbitraries.integers().between(0, DAYS * 24 * 60 - 1), Arbitraries.integers().between(1, 9))
                .as(Sale::new);
        return sale.list().ofMinSize(3).ofMaxSize(60)
                .map(l -> l.stream().sorted(Comparator.comparingInt(Sale::minute)).toList());
    }

    @Provide
    Arbitrary<List<Bad>> bads() {
        return Arbitraries.of(Bad.class).list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 40)
    void badRecordsAreDeadLetteredWithTheirReasonAndTheGoodOnesComeOutExact(
            @ForAll("sales") List<Sale> sales, @ForAll("bads") List<Bad> bads,
            @ForAll("positions") List<Integer> positions) throws IOException {
        Path state = Files.createTempDirectory("hostile");
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "grace", "PT1H"),
                ModelHandle.none())) {
            // Where each bad record goes: after the good sale at that index (after the first two, so that a resend
            // has an order to resend).
            Map<Integer, List<Bad>> after = new HashMap<>();
            for (int i = 0; i < bads.size(); i++) {
                int at = 1 + positions.get(i % positions.size()) % (sales.size() - 1);
                after.computeIfAbsent(at, k -> new ArrayList<>()).add(bads.get(i));
            }
            Map<String, Map<Instant, Double>> expected = new TreeMap<>();
            OrderEvent last = null;
            for (int i = 0; i < sales.size(); i++) {
                Sale s = sales.get(i);
                Instant t = DAY0.plus(Duration.ofMinutes(s.minute()));
                last = order("good-" + i, t, OrderType.SALE, line(s.product(), s.units(), 2.0));
                p.send(last);
                expected.computeIfAbsent(s.product(), k -> new TreeMap<>())
                        .merge(Instant.ofEpochMilli(t.toEpochMilli()).truncatedTo(java.time.temporal.ChronoUnit.DAYS),
                                (double) s.units(), Double::sum);
                for (Bad b : after.getOrDefault(i, List.of())) {
                    sendBad(p, b, t, last);
                }
            }
            // Two orders well after the period close every day of it.
            Instant end = DAY0.plus(Duration.ofDays(DAYS + 2));
            p.send(order("end-1", end, OrderType.SALE, line("Z", 1, 1.0)));
            p.send(order("end-2", end.plusSeconds(60), OrderType.SALE, line("Z", 1, 1.0)));

            List<String> reasons = p.deadLetters().stream().map(kv -> kv.value.getReason().toString()).toList();
            assertThat(reasons).containsExactlyInAnyOrderElementsOf(bads.stream().map(b -> b.reason).toList());

            Map<String, Map<Instant, Double>> seen = new TreeMap<>();
            for (SalesBucket b : p.actuals()) {
                if (b.getSeries().equals("Z")) {
                    continue;
                }
                Double before = seen.computeIfAbsent(b.getSeries(), k -> new TreeMap<>())
                        .put(b.getBucketStart(), b.getUnits());
                assertThat(before).as("%s %s published twice", b.getSeries(), b.getBucketStart()).isNull();
            }
            for (var e : expected.entrySet()) {
                Map<Instant, Double> got = seen.getOrDefault(e.getKey(), Map.of());
                e.getValue().forEach((day, units) -> assertThat(got.get(day))
                        .as("%s on %s", e.getKey(), day).isEqualTo(units));
                // Every day after a series' first sale until the period's end is closed: zero where nothing sold.
                assertThat(got.values().stream().mapToDouble(Double::doubleValue).sum())
                        .isEqualTo(e.getValue().values().stream().mapToDouble(Double::doubleValue).sum());
            }
            assertThat(seen.keySet()).isEqualTo(expected.keySet());
        } finally {
            try (Stream<Path> files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> positions() {
        return Arbitraries.integers().between(0, 1_000).list().ofMinSize(1).ofMaxSize(25);
    }

    private static void sendBad(PipelineDriver p, Bad bad, Instant t, OrderEvent last) {
        String id = "bad-" + bad + "-" + t.toEpochMilli();
        switch (bad) {
            case GARBAGE -> p.sendBytes(id, "not an order at all".getBytes(StandardCharsets.UTF_8));
            case TRUNCATED -> {
                byte[] whole = p.encode(order(id, t, OrderType.SALE, line("A", 1, 1.0)));
                p.sendBytes(id, java.util.Arrays.copyOf(whole, whole.length / 2));
            }
            case EMPTY -> p.sendBytes(id, new byte[0]);
            case TOMBSTONE -> p.sendBytes(id, null);
            case NO_LINES -> p.send(OrderEvent.newBuilder().setOrderId(id).setEventTime(t).setType(OrderType.SALE)
                    .setLines(List.of()).build());
            case ZERO_QUANTITY -> p.send(order(id, t, OrderType.SALE, line("A", 0, 1.0)));
            case NEGATIVE_QUANTITY -> p.send(order(id, t, OrderType.SALE, line("A", -3, 1.0)));
            case ABSURD_QUANTITY -> p.send(order(id, t, OrderType.SALE, line("A", 1e12, 1.0)));
            case NAN_QUANTITY -> p.send(order(id, t, OrderType.SALE, line("A", Double.NaN, 1.0)));
            case NAN_PRICE -> p.send(order(id, t, OrderType.SALE, line("A", 1, Double.NaN)));
            case INFINITE_PRICE -> p.send(order(id, t, OrderType.SALE, line("A", 1, Double.POSITIVE_INFINITY)));
            case NEGATIVE_PRICE -> p.send(order(id, t, OrderType.SALE, line("A", 1, -1.0)));
            case YEAR_1990 -> p.send(order(id, Instant.parse("1990-06-01T00:00:00Z"), OrderType.SALE,
                    line("A", 1, 1.0)));
            case YEAR_2100 -> p.send(order(id, Instant.parse("2100-06-01T00:00:00Z"), OrderType.SALE,
                    line("A", 1, 1.0)));
            case BLANK_PRODUCT -> p.send(order(id, t, OrderType.SALE, new OrderLine(" ", 1.0, 1.0)));
            case BLANK_ORDER_ID -> p.send(order("", t, OrderType.SALE, line("A", 1, 1.0)));
            case UNKNOWN_TYPE -> p.send(order(id, t, OrderType.UNKNOWN, line("A", 1, 1.0)));
            case RESENT -> p.sendBytes(last.getOrderId(), p.encode(last));
        }
    }
}
