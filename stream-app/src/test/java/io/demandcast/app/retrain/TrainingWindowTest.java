package io.demandcast.app.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.app.aggregate.SalesRing;
import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import io.demandcast.schemas.avro.SalesBucket;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingWindowTest {

    private static final Instant DAY0 = Instant.parse("2024-03-04T00:00:00Z");

    private static SalesBucket bucket(String series, int day, double units, Double price) {
        Instant start = Bucket.DAY.plus(DAY0, day);
        return SalesBucket.newBuilder().setSeries(series).setBucketStart(start).setBucketEnd(Bucket.DAY.plus(start, 1))
                .setUnits(units).setRevenue(0).setOrderCount(0).setMeanPrice(price).setZeroFilled(units == 0).build();
    }

    @Test
    void keepsTheLastBucketsOfEachSeriesAsTheStreamSeesThem() {
        TrainingWindow window = new TrainingWindow(Bucket.DAY, 3, 10);
        window.add(bucket("a", 0, 5, 2.0));
        window.add(bucket("a", 1, -2, null));
        window.add(bucket("a", 2, 4, 3.0));
        window.add(bucket("a", 3, 6, null));

        SeriesHistory a = window.snapshot(Bucket.DAY.plus(DAY0, 4)).get(0);

        assertThat(a.start()).isEqualTo(Bucket.DAY.plus(DAY0, 1));
        assertThat(a.units()).as("returns above sales count as no demand").containsExactly(0, 4, 6);
        assertThat(a.covariates().get(SalesRing.PRICE)).as("price carried over buckets without sales")
                .containsExactly(3.0, 3.0, 3.0);
    }

    @Test
    void aRedeliveredBucketIsIgnoredAndAGapIsFilledWithZeros() {
        TrainingWindow window = new TrainingWindow(Bucket.DAY, 10, 10);
        window.add(bucket("a", 0, 5, 1.0));
        window.add(bucket("a", 1, 7, 1.0));
        window.add(bucket("a", 1, 7, 1.0));
        window.add(bucket("a", 4, 2, 1.0));

        assertThat(window.ignored()).isEqualTo(1);
        assertThat(window.snapshot(Bucket.DAY.plus(DAY0, 5)).get(0).units()).containsExactly(5, 7, 0, 0, 2);
    }

    @Test
    void aSnapshotEndsBeforeTheCutAndTheLeastRecentlyUpdatedSeriesGoFirst() {
        TrainingWindow window = new TrainingWindow(Bucket.DAY, 10, 2);
        window.add(bucket("a", 0, 1, null));
        window.add(bucket("b", 0, 1, null));
        window.add(bucket("a", 1, 1, null));
        window.add(bucket("c", 1, 1, null));

        List<SeriesHistory> snapshot = window.snapshot(Bucket.DAY.plus(DAY0, 1));

        assertThat(window.dropped()).isEqualTo(1);
        assertThat(snapshot).extracting(SeriesHistory::series).containsExactlyInAnyOrder("a");
        assertThat(snapshot.get(0).length()).isEqualTo(1);
    }
}
