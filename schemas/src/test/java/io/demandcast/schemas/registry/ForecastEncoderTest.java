package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Forecasts written from their numbers are byte for byte what the topic's serializer writes for the record. */
class ForecastEncoderTest {

    private static final Serde<Forecast> SERDE =
            new AvroSerdes(SerdeConfig.of(RegistryServer.shared().url())).forValue(Forecast.class);
    private static final String TOPIC = KafkaBroker.uniqueTopic("forecasts");

    @Property(tries = 200)
    void theDirectBytesAreTheSerializersAndDecodeToTheRecord(@ForAll("forecasts") Forecast f) {
        byte[] direct = encode(ForecastEncoder.over(SERDE.serializer()), f);

        assertThat(direct).isEqualTo(SERDE.serializer().serialize(TOPIC, f));
        // Read back and written again (not compared as records: a record's equals does not hold NaN equal to itself).
        assertThat(SERDE.serializer().serialize(TOPIC, SERDE.deserializer().deserialize(TOPIC, direct)))
                .isEqualTo(direct);
    }

    @Property(tries = 50)
    void anotherSerializerGetsTheRecordBuiltFromTheNumbers(@ForAll("forecasts") Forecast f) {
        List<Forecast> handed = new ArrayList<>();
        Serializer<Forecast> other = (topic, record) -> {
            handed.add(record);
            return new byte[] {42};
        };

        assertThat(encode(ForecastEncoder.over(other), f)).containsExactly(42);
        assertThat(handed).hasSize(1);
        assertThat(SERDE.serializer().serialize(TOPIC, handed.get(0)))
                .isEqualTo(SERDE.serializer().serialize(TOPIC, f));
    }

    private static byte[] encode(ForecastEncoder encoder, Forecast f) {
        return encoder.encode(TOPIC, f.getSeries(), f.getLastObservedBucket().toEpochMilli(),
                ForecastEncoder.Steps.of(f.getSteps()), f.getModelVersion(), f.getMethod(),
                f.getProducedAt().toEpochMilli());
    }

    @Provide
    Arbitrary<Forecast> forecasts() {
        return HotPathEncodersTest.anyForecast();
    }
}
