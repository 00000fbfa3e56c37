package io.demandcast.app.topology;

import static io.demandcast.app.topology.PipelineDriver.line;
import static io.demandcast.app.topology.PipelineDriver.order;
import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code order.id.window} (P7D) is measured by the intake's own clock, which orders stamped ahead of the stream
 * (within {@code max.future.skew}, P30D) do not move: a resend of an order counted in the last week is a duplicate
 * even after such an order, and one counted more than a week of the stream ago is counted.
 */
class OrderIdWindowTest {

    private static final Instant T = Instant.parse("2011-01-03T10:00:00Z");

    @TempDir
    Path state;

    private static OrderEvent sale(String id, Instant time) {
        return order(id, time, OrderType.SALE, line("A", 1, 1.0));
    }

    /** Sends {@code n} orders of the stream, an hour apart from {@code from} on. */
    private static void stream(PipelineDriver p, String prefix, Instant from, int n) {
        for (int i = 0; i < n; i++) {
            p.send(sale(prefix + i, from.plus(Duration.ofHours(i))));
        }
    }

    @Test
    void anOrderStampedWeeksAheadDoesNotMakeTheWeekBeforeItForgotten() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none())) {
            stream(p, "day0-", T, 3);
            OrderEvent resent = sale("web-17", T.plus(Duration.ofHours(5)));
            p.send(resent);
            // 20 days ahead of the stream: within max.future.skew and before the wall clock, so it is counted.
            p.send(sale("ahead", T.plus(Duration.ofDays(20))));
            stream(p, "day1-", T.plus(Duration.ofDays(1)), 3);
            long accepted = p.metrics.ordersAccepted();

            p.send(resent);

            assertThat(p.metrics.deadLetters(Rejection.DUPLICATE)).isEqualTo(1);
            assertThat(p.metrics.ordersAccepted()).isEqualTo(accepted);
        }
    }

    @Test
    void aResendMoreThanTheWindowAfterItWasCountedIsCountedEvenAfterAnOrderStampedAhead() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none())) {
            stream(p, "day0-", T, 3);
            OrderEvent resent = sale("web-17", T.plus(Duration.ofHours(5)));
            p.send(resent);
            p.send(sale("ahead", T.plus(Duration.ofDays(20))));
            // More than a week of the stream later.
            stream(p, "day8-", T.plus(Duration.ofDays(8)), 12);
            long accepted = p.metrics.ordersAccepted();

            p.send(resent);

            assertThat(p.metrics.deadLetters(Rejection.DUPLICATE)).isZero();
            assertThat(p.metrics.ordersAccepted()).isEqualTo(accepted + 1);
        }
    }

    @Test
    void aResendOfTheOrderStampedAheadIsADuplicate() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none())) {
            stream(p, "day0-", T, 3);
            OrderEvent ahead = sale("ahead", T.plus(Duration.ofDays(20)));
            p.send(ahead);
            stream(p, "day1-", T.plus(Duration.ofDays(1)), 3);

            p.send(ahead);

            assertThat(p.metrics.deadLetters(Rejection.DUPLICATE)).isEqualTo(1);
        }
    }

    @Test
    void aRestartRemembersTheCountedOrdersAndTheClock() {
        PipelineDriver first = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none());
        stream(first, "day0-", T, 3);
        OrderEvent resent = sale("web-17", T.plus(Duration.ofHours(5)));
        first.send(resent);
        first.send(sale("ahead", T.plus(Duration.ofDays(20))));
        first.stopKeepingState();

        try (PipelineDriver second = new PipelineDriver(PipelineDriver.config(state), ModelHandle.none())) {
            stream(second, "day1-", T.plus(Duration.ofDays(1)), 3);
            second.send(resent);

            assertThat(second.metrics.deadLetters(Rejection.DUPLICATE)).isEqualTo(1);
        }
    }

    @Test
    void aZeroWindowCountsEveryResend() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "order.id.window", "PT0S"),
                ModelHandle.none())) {
            stream(p, "day0-", T, 3);
            OrderEvent resent = sale("web-17", T.plus(Duration.ofHours(5)));
            p.send(resent);
            p.send(resent);

            assertThat(p.metrics.deadLetters(Rejection.DUPLICATE)).isZero();
            assertThat(p.metrics.ordersAccepted()).isEqualTo(5);
        }
    }
}
