package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.SalesBucket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the app and starting it again on its state directory loses and repeats nothing: the outputs of a run
 * cut in two equal those of a run straight through. (Offsets are the broker's part and are tested with a real
 * one; here the driver feeds the second part as committed offsets would.)
 */
class RestartTest {

    @TempDir
    Path straight;
    @TempDir
    Path restarted;

    @Test
    void aRestartOnTheSameStateDirNeitherDuplicatesNorLosesABucketOrAForecast() {
        List<ReplayTest.Sale> sales = ReplayTest.year().subList(0, 600);
        // Cut in the middle of a day, so that an open bucket and its grace span the restart.
        int cut = 311;

        List<SalesBucket> referenceActuals;
        List<Forecast> referenceForecasts;
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(straight), ModelHandle.none())) {
            ReplayTest.play(p, sales);
            referenceActuals = p.actuals();
            referenceForecasts = p.forecasts();
        }

        List<SalesBucket> actuals = new ArrayList<>();
        List<Forecast> forecasts = new ArrayList<>();
        PipelineDriver first = new PipelineDriver(PipelineDriver.config(restarted), ModelHandle.none());
        ReplayTest.play(first, sales.subList(0, cut));
        actuals.addAll(first.actuals());
        forecasts.addAll(first.forecasts());
        first.stopKeepingState();
        assertThat(actuals).as("the first part closed some buckets").isNotEmpty();

        try (PipelineDriver second = new PipelineDriver(PipelineDriver.config(restarted), ModelHandle.none())) {
            ReplayTest.play(second, sales.subList(cut, sales.size()));
            actuals.addAll(second.actuals());
            forecasts.addAll(second.forecasts());
        }

        assertThat(actuals).isEqualTo(referenceActuals);
        assertThat(forecasts).usingRecursiveFieldByFieldElementComparatorIgnoringFields("producedAt")
                .isEqualTo(referenceForecasts);
        ReplayTest.assertOneForecastPerActual(actuals, forecasts);
    }
}
