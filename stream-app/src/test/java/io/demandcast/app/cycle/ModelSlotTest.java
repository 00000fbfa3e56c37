package io.demandcast.app.cycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ModelSlotTest {

    @Test
    void aSwappedOutModelIsClosedOnlyAfterTheLastCycleUsingItEnds() {
        AtomicInteger closedOld = new AtomicInteger();
        AtomicInteger closedNew = new AtomicInteger();
        var oldModel = new TestForecasters.MeanModel();
        var newModel = new TestForecasters.MeanModel();
        try (ModelSlot slot = new ModelSlot()) {
            slot.swap(oldModel, "v1", closedOld::incrementAndGet);
            ModelHandle.Lease inFlight = slot.lease();

            slot.swap(newModel, "v2", closedNew::incrementAndGet);
            assertThat(closedOld).as("a cycle still runs on v1").hasValue(0);
            try (ModelHandle.Lease next = slot.lease()) {
                assertThat(next.forecaster()).isSameAs(newModel);
                assertThat(next.version()).isEqualTo("v2");
            }
            assertThat(inFlight.forecaster()).isSameAs(oldModel);

            inFlight.close();
            inFlight.close();
            assertThat(closedOld).hasValue(1);
            assertThat(closedNew).hasValue(0);
        }
        assertThat(closedNew).as("closing the slot closes the model in service").hasValue(1);
    }

    @Test
    void anEmptySlotLeasesNoModel() {
        try (ModelSlot slot = new ModelSlot()) {
            assertThat(slot.lease().forecaster()).isNull();
            slot.swap(new TestForecasters.MeanModel(), "v1", null);
            slot.clear();
            assertThat(slot.lease().forecaster()).isNull();
            assertThat(slot.version()).isNull();
        }
    }
}
