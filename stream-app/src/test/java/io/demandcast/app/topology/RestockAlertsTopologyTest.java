package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.alerts.InventoryCheck;
import io.demandcast.app.alerts.RestockAlerts;
import io.demandcast.app.cycle.ModelSlot;
import io.demandcast.app.ingest.Rejection;
import io.demandcast.schemas.Topics;
import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.RestockState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restock alerts in the topology, without a broker: forecasts come from the aggregator's own closes (seasonal naive,
 * so a product that sold 10 units a day is forecast 10 a day), stock levels from {@code inventory}.
 */
class RestockAlertsTopologyTest {

    private static final Instant MEASURED = Instant.parse("2011-01-01T00:00:00Z");

    @TempDir
    Path state;
    private PipelineDriver pipeline;
    private Topics topics;
    private TestInputTopic<String, byte[]> inventory;
    private TestOutputTopic<String, RestockAlert> alerts;

    @BeforeEach
    void start() {
        pipeline = new PipelineDriver(PipelineDriver.config(state, "bucket", "day", "grace", "PT1H"), new ModelSlot());
        topics = new Topics(pipeline.config.topicNames(), new PlainAvroValueSerdes());
        inventory = pipeline.driver.createInputTopic(topics.inventory().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        alerts = pipeline.driver.createOutputTopic(topics.restockAlerts().name(), Serdes.String().deserializer(),
                topics.restockAlerts().valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private void level(String key, String product, double onHand, double onOrder, int lead, double service) {
        inventory.pipeInput(key, topics.inventory().valueSerde().serializer().serialize(topics.inventory().name(),
                new InventoryLevel(product, onHand, onOrder, lead, service, MEASURED)));
    }

    private void level(String product, double onHand) {
        level(product, product, onHand, 0, 3, 0.9);
    }

    /** Ten units of A and of B on each day from the 3rd, up to the day before {@code until}, which it opens. */
    private void sellDaily(int fromDay, int untilDay) {
        for (int d = fromDay; d < untilDay; d++) {
            pipeline.sale("A", String.format("2011-01-%02dT10:00:00Z", d), 10);
            pipeline.sale("B", String.format("2011-01-%02dT10:00:00Z", d), 10);
        }
        pipeline.sale("A", String.format("2011-01-%02dT10:00:00Z", untilDay), 10);
        pipeline.sale("B", String.format("2011-01-%02dT10:00:00Z", untilDay), 10);
    }

    @Test
    void aLowProductIsRaisedOnceAtItsFirstForecastAndClearedWhenStockComes() {
        level("A", 0);
        level("B", 1_000_000);
        assertThat(alerts.readValuesToList()).as("no forecast yet").isEmpty();

        sellDaily(3, 4);
        List<RestockAlert> first = alerts.readValuesToList();
        assertThat(first).singleElement().satisfies(a -> {
            assertThat(a.getProductId().toString()).isEqualTo("A");
            assertThat(a.getState()).isEqualTo(RestockState.RAISED);
            assertThat(a.getForecastLastObservedBucket()).isEqualTo(Instant.parse("2011-01-03T00:00:00Z"));
            // 10 a day, lead time 3 days: the reorder point is about 30, and an order reaches 4 days' worth.
            assertThat(a.getDemandOverLeadTimeAtServiceLevel()).isGreaterThanOrEqualTo(30);
            assertThat(a.getSuggestedOrder()).isGreaterThanOrEqualTo(40);
            assertThat(a.getStockoutEstimate()).isEqualTo(Instant.parse("2011-01-04T00:00:00Z"));
        });

        // More closes with nothing changed: no more records, but the stored evaluation follows the forecasts.
        sellDaily(5, 8);
        assertThat(alerts.readValuesToList()).isEmpty();
        KeyValueStore<String, RestockAlert> states = pipeline.driver.getKeyValueStore(RestockAlerts.STATE_STORE);
        assertThat(states.get("A").getState()).isEqualTo(RestockState.RAISED);
        assertThat(states.get("A").getForecastLastObservedBucket()).isAfter(Instant.parse("2011-01-05T00:00:00Z"));
        assertThat(states.get("B").getState()).isEqualTo(RestockState.CLEARED);

        // Stock arrives: one CLEARED record, at once, from the latest forecast.
        level("A", 1_000_000);
        assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(RestockState.CLEARED);
            assertThat(a.getSuggestedOrder()).isZero();
        });
        assertThat(pipeline.metrics.restockRaisedCount()).isEqualTo(1);
        assertThat(pipeline.metrics.restockClearedCount()).isEqualTo(1);

        // And a sale that empties it again raises it again.
        level("A", 0);
        assertThat(alerts.readValuesToList()).extracting(RestockAlert::getState).containsExactly(RestockState.RAISED);
    }

    @Test
    void badLevelsAreDeadLetteredWithTheirReasonAndTheLastValidLevelStays() {
        sellDaily(3, 4);
        level("A", 1_000_000);
        pipeline.deadLetters();
        inventory.pipeInput("A", "garbage".getBytes(StandardCharsets.UTF_8));
        level("A", -1);
        level("A", "A", 0, Double.NaN, 3, 0.9);
        level("A", "A", 0, 0, 3, 1.0);
        level("A", "A", 0, 0, 3, 0.0);
        level("A", "A", 0, 0, 0, 0.9);
        level("A", "A", 0, 0, 15, 0.9);
        level("A", "B", 0, 0, 3, 0.9);
        level("", "", 0, 0, 3, 0.9);

        List<KeyValue<byte[], DeadLetter>> letters = pipeline.deadLetters();
        assertThat(letters).extracting(kv -> kv.value.getReason().toString()).containsExactly(
                Rejection.DESERIALIZATION, InventoryCheck.BAD_STOCK, InventoryCheck.BAD_STOCK,
                InventoryCheck.BAD_SERVICE_LEVEL, InventoryCheck.BAD_SERVICE_LEVEL, InventoryCheck.BAD_LEAD_TIME,
                InventoryCheck.BAD_LEAD_TIME, InventoryCheck.UNKNOWN_PRODUCT, InventoryCheck.UNKNOWN_PRODUCT);
        assertThat(letters.get(6).value.getDetail().toString()).contains("horizon").contains("15")
                .contains("14");
        assertThat(letters).allSatisfy(kv -> {
            assertThat(kv.value.getTopic().toString()).isEqualTo(topics.inventory().name());
            assertThat(kv.value.getOriginalValue()).isNotNull();
        });
        assertThat(pipeline.metrics.deadLetters(InventoryCheck.BAD_LEAD_TIME)).isEqualTo(2);
        // None of them replaced A's level: it is still well stocked, and a valid level after them is used.
        assertThat(alerts.readValuesToList()).isEmpty();
        level("A", 0);
        assertThat(alerts.readValuesToList()).extracting(RestockAlert::getState).containsExactly(RestockState.RAISED);
    }
}
