package io.demandcast.schemas.registry;

import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.ModelRelease;
import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One realistic value of each topic's type, with nullable fields both set and unset across the set. */
final class SampleRecords {

    private static final Instant T0 = Instant.parse("2011-12-09T12:50:00Z");

    private SampleRecords() {
    }

    static OrderEvent order() {
        return OrderEvent.newBuilder()
                .setOrderId("581587")
                .setEventTime(T0)
                .setCustomerId("12680")
                .setChannel(null)
                .setCountry("France")
                .setType(OrderType.SALE)
                .setLines(List.of(
                        new OrderLine("22613", 12.0, 0.85),
                        new OrderLine("POST", 1.0, 18.0)))
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setOriginalValue(ByteBuffer.wrap("not avro".getBytes(StandardCharsets.UTF_8)))
                .setTopic("orders")
                .setPartition(3)
                .setOffset(41_250L)
                .setReason("bad-bytes")
                .setDetail("expected magic byte 0, got 0x6e")
                .setErrorClass("org.apache.kafka.common.errors.SerializationException")
                .setTime(T0.plusSeconds(2))
                .build();
    }

    static InventoryLevel inventory() {
        return InventoryLevel.newBuilder()
                .setProductId("22613")
                .setOnHand(140.0)
                .setOnOrder(0.0)
                .setLeadTimeBuckets(7)
                .setServiceLevel(0.95)
                .setUpdatedAt(T0)
                .build();
    }

    static SalesBucket salesBucket() {
        return SalesBucket.newBuilder()
                .setSeries("22613")
                .setBucketStart(Instant.parse("2011-12-09T00:00:00Z"))
                .setBucketEnd(Instant.parse("2011-12-10T00:00:00Z"))
                .setUnits(36.0)
                .setRevenue(30.6)
                .setOrderCount(3)
                .setMeanPrice(0.85)
                .setZeroFilled(false)
                .build();
    }

    static Forecast forecast() {
        return Forecast.newBuilder()
                .setSeries("22613")
                .setLastObservedBucket(Instant.parse("2011-12-09T00:00:00Z"))
                .setSteps(List.of(
                        new ForecastStep(Instant.parse("2011-12-10T00:00:00Z"), 4.0, 11.5, 30.25),
                        new ForecastStep(Instant.parse("2011-12-11T00:00:00Z"), 0.0, 9.0, 27.0)))
                .setModelVersion("lstm-2011-12-01")
                .setMethod("lstm")
                .setProducedAt(T0.plusMillis(17))
                .build();
    }

    static RestockAlert restockAlert() {
        return RestockAlert.newBuilder()
                .setProductId("22613")
                .setOnHand(12.0)
                .setOnOrder(0.0)
                .setDemandOverLeadTimeP50(63.0)
                .setDemandOverLeadTimeAtServiceLevel(101.5)
                .setSuggestedOrder(89.5)
                .setStockoutEstimate(Instant.parse("2011-12-11T00:00:00Z"))
                .setForecastModelVersion("lstm-2011-12-01")
                .setForecastLastObservedBucket(Instant.parse("2011-12-09T00:00:00Z"))
                .setProducedAt(T0.plusMillis(20))
                .build();
    }

    static ModelRelease modelRelease() {
        return ModelRelease.newBuilder()
                .setModelName("demand-lstm")
                .setVersion("lstm-2011-12-01")
                .setParentVersion(null)
                .setCreated(T0.minusSeconds(86_400))
                .setTrainingFrom(Instant.parse("2010-12-01T00:00:00Z"))
                .setTrainingTo(Instant.parse("2011-11-01T00:00:00Z"))
                .setMetrics(Map.of("mase", 0.81, "mase.seasonal_naive", 1.0, "coverage.p10_p90", 0.79))
                .setModelCardJson("{\"version\":\"lstm-2011-12-01\"}")
                .setSavedModelZip(ByteBuffer.wrap(new byte[] {0x50, 0x4b, 0x03, 0x04, 0, 1, 2, (byte) 0xff}))
                .setSavedModelUri(null)
                .setPromotedAt(T0)
                .build();
    }

    /** Every topic value type with its sample. */
    static List<SpecificRecord> all() {
        return List.of(order(), deadLetter(), inventory(), salesBucket(), forecast(), restockAlert(), modelRelease());
    }
}
