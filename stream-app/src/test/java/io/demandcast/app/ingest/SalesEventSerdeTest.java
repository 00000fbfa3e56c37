package io.demandcast.app.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SalesEventSerdeTest {

    private final SalesEventSerde serde = new SalesEventSerde();

    private SalesEvent roundTrip(SalesEvent e) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", e));
    }

    @Test
    void salesAndWatermarksReadBackAsWritten() {
        SeriesSale sale = new SeriesSale("85123A", 1_291_193_400_000L, -2.0, -5.1, 0.0, 0.0,
                new Origin("orders", 2, 77L, null));
        OriginWatermark idle = new OriginWatermark(5, OriginWatermark.NO_POSITION, true);
        OriginWatermark progress = new OriginWatermark(1, 1_291_193_400_000L, false);

        assertThat(roundTrip(sale)).isEqualTo(sale);
        assertThat(roundTrip(idle)).isEqualTo(idle);
        assertThat(roundTrip(progress)).isEqualTo(progress);
    }

    @Test
    void aSaleKeepsTheLayoutWrittenBeforeWatermarksSoRecordsOfAnOlderVersionStillRead() {
        byte[] bytes = serde.serializer().serialize("t", new SeriesSale("A", 1L, 1, 1, 1, 1,
                new Origin("orders", 0, 3L, "o1")));
        assertThat(bytes[0]).isEqualTo((byte) 1);
    }

    @Test
    void anUnknownLayoutIsRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("sales-by-series", new byte[] {9, 0, 0}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("sales-by-series").hasMessageContaining("got 9");
    }
}
