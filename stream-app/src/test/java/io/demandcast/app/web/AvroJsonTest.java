package io.demandcast.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    @Test
    void timestampsBecomeIsoInstantsInSpecificAndGenericRecords() {
        Forecast f = Forecast.newBuilder().setSeries("85123A")
                .setLastObservedBucket(Instant.parse("2010-12-01T00:00:00Z"))
                .setSteps(List.of(new ForecastStep(Instant.parse("2010-12-02T00:00:00Z"), 1.0, Double.NaN, 3.5)))
                .setModelVersion("v7").setMethod("lstm").setProducedAt(Instant.parse("2026-01-01T12:00:00Z")).build();
        JsonNode specific = AvroJson.toJson(f);
        assertThat(specific.get("lastObservedBucket").asText()).isEqualTo("2010-12-01T00:00:00Z");
        assertThat(specific.get("steps").get(0).get("bucketStart").asText()).isEqualTo("2010-12-02T00:00:00Z");
        assertThat(specific.get("steps").get(0).get("p50").asText()).isEqualTo("NaN");
        assertThat(specific.get("steps").get(0).get("p90").asDouble()).isEqualTo(3.5);

        // The same record read without its class holds epoch millis where the class holds Instants.
        GenericRecord g = new GenericData.Record(Forecast.getClassSchema());
        g.put("series", "85123A");
        g.put("lastObservedBucket", Instant.parse("2010-12-01T00:00:00Z").toEpochMilli());
        g.put("steps", List.of());
        g.put("modelVersion", "v7");
        g.put("method", "lstm");
        g.put("producedAt", 0L);
        assertThat(AvroJson.toJson(g).get("lastObservedBucket").asText()).isEqualTo("2010-12-01T00:00:00Z");
        assertThat(AvroJson.toJson(g).get("producedAt").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void unionsShowTheirValueBytesAreBase64AndNullsStayNull() {
        DeadLetter d = DeadLetter.newBuilder().setOriginalValue(ByteBuffer.wrap(new byte[] {0, 1, 2}))
                .setTopic("orders").setPartition(1).setOffset(42).setReason("bad-quantity").setDetail(null)
                .setErrorClass(null).setTime(Instant.parse("2026-01-01T00:00:00Z")).build();
        JsonNode json = AvroJson.toJson(d);
        assertThat(json.get("originalValue").asText()).isEqualTo("AAEC");
        assertThat(json.get("detail").isNull()).isTrue();
        assertThat(json.get("offset").asLong()).isEqualTo(42);
        assertThat(AvroJson.toJsonLine(d)).doesNotContain("\n").contains("\"reason\":\"bad-quantity\"");
    }
}
