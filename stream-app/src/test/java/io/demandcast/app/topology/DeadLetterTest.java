package io.demandcast.app.topology;

import static io.demandcast.app.topology.PipelineDriver.line;
import static io.demandcast.app.topology.PipelineDriver.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every class of bad input goes to {@code orders-dlq} with its reason, and the stream goes on. */
class DeadLetterTest {

    private static final Instant T = Instant.parse("2011-01-03T10:00:00Z");

    @TempDir
    Path state;
    private PipelineDriver p;

    @BeforeEach
    void start() {
        p = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none());
    }

    @AfterEach
    void stop() {
        p.close();
    }

    private DeadLetter onlyLetter(String reason) {
        List<KeyValue<byte[], DeadLetter>> dlq = p.deadLetters();
        assertThat(dlq).hasSize(1);
        DeadLetter letter = dlq.get(0).value;
        assertThat(letter.getReason()).isEqualTo(reason);
        assertThat(letter.getTopic()).isEqualTo("orders");
        assertThat(letter.getPartition()).isEqualTo(0);
        assertThat(letter.getTime()).isEqualTo(PipelineDriver.WALL_CLOCK);
        assertThat(p.metrics.deadLetters(reason)).isEqualTo(1);
        return letter;
    }

    /** A valid sale afterwards still counts: one bad record never stops the stream. */
    private void streamGoesOn() {
        p.sale("OK", "2011-01-04T10:00:00Z", 2);
        p.sale("OK", "2011-01-05T10:00:00Z", 1);
        assertThat(p.actuals()).extracting(b -> b.getSeries() + "=" + b.getUnits()).contains("OK=2.0");
    }

    @Test
    void garbageBytesAreADeserializationDeadLetterWithTheOriginalBytesKeyAndOffset() {
        p.sale("A", "2011-01-03T09:00:00Z", 1);
        byte[] garbage = "this is not avro, not at all".getBytes(StandardCharsets.UTF_8);
        p.sendBytes("k-42", garbage);

        List<KeyValue<byte[], DeadLetter>> dlq = p.deadLetters();
        assertThat(dlq).singleElement().satisfies(kv -> {
            assertThat(PipelineDriver.key(kv)).isEqualTo("k-42");
            assertThat(kv.value.getReason()).isEqualTo(Rejection.DESERIALIZATION);
            assertThat(kv.value.getOffset()).isEqualTo(1L);
            assertThat(kv.value.getOriginalValue().array()).isEqualTo(garbage);
            assertThat(kv.value.getErrorClass()).isNotBlank();
            assertThat(kv.value.getDetail()).contains("orders/0@1");
        });
        streamGoesOn();
    }

    @Test
    void aRecordWithoutValueIsADeserializationDeadLetter() {
        p.sendBytes("k-1", null);
        assertThat(onlyLetter(Rejection.DESERIALIZATION).getOriginalValue()).isNull();
        streamGoesOn();
    }

    @Test
    void anEmptyOrderIdIsAMissingId() {
        p.send(order(" ", T, OrderType.SALE, line("A", 1, 1)));
        onlyLetter(Rejection.MISSING_ID);
        streamGoesOn();
    }

    @Test
    void anEmptyProductIdIsAMissingIdAndRefusesTheWholeOrder() {
        p.send(order("o1", T, OrderType.SALE, line("A", 1, 1), line("", 1, 1)));
        assertThat(onlyLetter(Rejection.MISSING_ID).getDetail()).contains("line 1");
        p.sale("A", "2011-01-04T10:00:00Z", 1);
        p.sale("A", "2011-01-05T10:00:00Z", 1);
        assertThat(p.actuals()).extracting(b -> b.getBucketStart().toString())
                .as("the good line of the refused order was not counted").doesNotContain("2011-01-03T00:00:00Z");
    }

    @Test
    void anOrderWithoutLinesIsNoLines() {
        p.send(OrderEvent.newBuilder().setOrderId("o1").setEventTime(T).setLines(List.of()).build());
        onlyLetter(Rejection.NO_LINES);
        streamGoesOn();
    }

    @Test
    void aNaNQuantityIsABadQuantity() {
        p.send(order("o1", T, OrderType.SALE, line("A", Double.NaN, 1)));
        onlyLetter(Rejection.BAD_QUANTITY);
        streamGoesOn();
    }

    @Test
    void aNegativeQuantityIsABadQuantity() {
        p.send(order("o1", T, OrderType.SALE, line("A", -3, 1)));
        onlyLetter(Rejection.BAD_QUANTITY);
        streamGoesOn();
    }

    @Test
    void anAbsurdQuantityIsABadQuantity() {
        p.send(order("o1", T, OrderType.SALE, line("A", 80_995, 2.08)));
        assertThat(onlyLetter(Rejection.BAD_QUANTITY).getDetail()).contains("80995").contains("50000");
        streamGoesOn();
    }

    @Test
    void aNegativeOrInfinitePriceIsABadPrice() {
        p.send(order("o1", T, OrderType.SALE, line("A", 1, -11062.06)));
        onlyLetter(Rejection.BAD_PRICE);
        p.send(order("o2", T, OrderType.SALE, line("A", 1, Double.POSITIVE_INFINITY)));
        assertThat(p.metrics.deadLetters(Rejection.BAD_PRICE)).isEqualTo(2);
        streamGoesOn();
    }

    @Test
    void anEventTimeFarAheadOfTheWallClockIsABadTime() {
        p.send(order("o1", Instant.parse("2091-01-03T10:00:00Z"), OrderType.SALE, line("A", 1, 1)));
        onlyLetter(Rejection.BAD_TIME);
        streamGoesOn();
    }

    @Test
    void anEventTimeFarAheadOfStreamTimeIsABadTimeEvenInAReplay() {
        p.sale("A", "2011-01-03T10:00:00Z", 1);
        p.sale("A", "2011-01-03T11:00:00Z", 1);
        // 2012 is long before the wall clock, but two months ahead of the stream (max.future.skew P30D).
        p.send(order("o1", Instant.parse("2011-03-03T10:00:00Z"), OrderType.SALE, line("A", 1, 1)));
        assertThat(onlyLetter(Rejection.BAD_TIME).getDetail()).contains("stream time");
        streamGoesOn();
    }

    @Test
    void anEventTimeBeforeTheMinimumIsABadTime() {
        p.send(order("o1", Instant.parse("1970-01-01T00:00:00Z"), OrderType.SALE, line("A", 1, 1)));
        onlyLetter(Rejection.BAD_TIME);
        streamGoesOn();
    }

    @Test
    void anOrderResentUnderTheSameIdIsADuplicateNotMoreSales() {
        OrderEvent first = order("web-17", T, OrderType.SALE, line("A", 3, 1));
        p.send(first);
        p.send(first);
        p.sale("A", "2011-01-03T11:00:00Z", 1);
        assertThat(onlyLetter(Rejection.DUPLICATE).getDetail()).contains("web-17").contains("order.id.window");
        p.sale("A", "2011-01-05T10:00:00Z", 1);
        assertThat(p.actuals()).filteredOn(b -> b.getBucketStart().equals(Instant.parse("2011-01-03T00:00:00Z")))
                .singleElement().satisfies(b -> assertThat(b.getUnits()).isEqualTo(4.0));
    }

    @Test
    void anOrderUnderACountedIdWithOtherLinesIsAPartOfItAndCounted() {
        // The Online Retail file sends invoice 542806 in two parts, with another invoice between them.
        p.send(order("542806", T, OrderType.SALE, line("A", 1, 7.95), line("B", 2, 7.95)));
        p.send(order("542807", T, OrderType.SALE, line("A", 5, 1.0)));
        p.send(order("542806", T.plusSeconds(60), OrderType.SALE, line("A", 2, 7.95)));
        p.sale("A", "2011-01-05T10:00:00Z", 1);
        assertThat(p.deadLetters()).isEmpty();
        assertThat(p.actuals()).filteredOn(b -> b.getSeries().equals("A")
                        && b.getBucketStart().equals(Instant.parse("2011-01-03T00:00:00Z")))
                .singleElement().satisfies(b -> assertThat(b.getUnits()).isEqualTo(8.0));
    }

    @Test
    void anOrderTypeThisAppDoesNotKnowIsRefusedNotCountedAsASale() {
        p.sale("A", "2011-01-03T09:00:00Z", 1);
        p.sale("A", "2011-01-03T09:30:00Z", 1);
        p.send(order("o1", T, OrderType.UNKNOWN, line("A", 3, 1)));
        assertThat(onlyLetter(Rejection.UNKNOWN_TYPE).getDetail()).contains("o1").contains("UNKNOWN");
        streamGoesOn();
    }
}
