package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.serialization.Serde;

/** For every order, whatever its (valid Unicode) text and numbers, deserialize(serialize(order)) is the order. */
class SerdeRoundTripPropertyTest {

    private static final Serde<OrderEvent> SERDE =
            new AvroSerdes(SerdeConfig.of(RegistryServer.shared().url())).forValue(OrderEvent.class);
    private static final String TOPIC = KafkaBroker.uniqueTopic("orders");

    @Property(tries = 200)
    void everyOrderSurvivesTheWireFormat(@ForAll("orders") OrderEvent order) {
        byte[] bytes = SERDE.serializer().serialize(TOPIC, order);

        assertThat(SERDE.deserializer().deserialize(TOPIC, bytes)).isEqualTo(order);
    }

    @Provide
    Arbitrary<OrderEvent> orders() {
        // Any text UTF-8 can hold: unpaired surrogates cannot be encoded and come back as '?'.
        Arbitrary<String> text = Arbitraries.strings().withCharRange('\u0000', '\uD7FF')
                .withCharRange('\uE000', '\uFFFF').ofMaxLength(40);
        Arbitrary<String> maybeText = text.injectNull(0.3);
        Arbitrary<Double> number = Arbitraries.doubles().withSpecialValue(Double.NaN)
                .withSpecialValue(Double.POSITIVE_INFINITY).withSpecialValue(-0.0);
        Arbitrary<OrderLine> line = Combinators.combine(text, number, number).as(OrderLine::new);
        Arbitrary<List<OrderLine>> lines = line.list().ofMaxSize(12);
        Arbitrary<Instant> time = Arbitraries.longs().between(-62_135_596_800_000L, 253_402_300_799_999L)
                .map(Instant::ofEpochMilli);
        return Combinators.combine(text, time, maybeText, maybeText, maybeText,
                        Arbitraries.of(OrderType.class), lines)
                .as((id, at, customer, channel, country, type, ls) -> OrderEvent.newBuilder()
                        .setOrderId(id).setEventTime(at).setCustomerId(customer).setChannel(channel)
                        .setCountry(country).setType(type).setLines(ls).build());
    }
}
