package io.demandcast.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.cycle.ModelHandle;
import io.demandcast.schemas.avro.Forecast;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stores REST answers from hold each series' latest forecast, the one last published on {@code forecasts}. */
class LatestForecastStoreTest {

    @TempDir
    Path state;

    @Test
    void holdsTheLastForecastPublishedForEachSeries() {
        try (PipelineDriver p = new PipelineDriver(PipelineDriver.config(state, "grace", "PT0S"), ModelHandle.none())) {
            p.sale("A", "2010-12-01T10:00:00Z", 3);
            p.sale("B", "2010-12-01T11:00:00Z", 1);
            p.sale("A", "2010-12-02T10:00:00Z", 5);
            p.sale("A", "2010-12-03T10:00:00Z", 2);
            List<Forecast> published = p.forecasts();
            for (String series : List.of("A", "B")) {
                Forecast last = published.stream().filter(f -> f.getSeries().equals(series))
                        .reduce((x, y) -> y).orElseThrow();
                assertThat(last.getLastObservedBucket()).isEqualTo(Instant.parse("2010-12-02T00:00:00Z"));
                assertThat(p.latestForecast(series)).isEqualTo(last);
            }
            assertThat(p.latestForecast("C")).isNull();
        }
    }
}
