package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.demandcast.model.Bucket;
import io.demandcast.model.SeriesHistory;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Laws of the in-graph scaling: serving takes raw units, the graph divides by the window's scale and multiplies
 * the outputs back. They hold for any weights, so a barely trained model is enough.
 */
class ScalingPropertiesTest {

    private static LstmModel model;
    private static List<SeriesHistory> histories;

    @BeforeContainer
    static void train() {
        histories = SyntheticDemand.weekly(6, 40, 9L);
        model = new LstmTrainer(LstmTrainerTest.small().withTraining(1, 64, 0.01, 1, 5L, 0).withServing(64, 1))
                .train(histories, null);
    }

    @AfterContainer
    static void close() {
        model.close();
    }

    @Property(tries = 30)
    void scalingUnitsScalesTheForecastAboveTheFloor(@ForAll @IntRange(min = 0, max = 5) int series,
                                                    @ForAll @DoubleRange(min = 1.0, max = 1000.0) double factor) {
        // The synthetic series have a mean of at least 3 units, above the scale floor of 1.
        SeriesHistory h = histories.get(series);
        double[] scaled = h.units().clone();
        for (int t = 0; t < scaled.length; t++) {
            scaled[t] *= factor;
        }
        SeriesHistory big = new SeriesHistory(h.series(), h.bucket(), h.start(), scaled, h.covariates());
        float[] base = model.predict(model.encoder().encode(List.of(h)));
        float[] times = model.predict(model.encoder().encode(List.of(big)));
        for (int i = 0; i < base.length; i++) {
            assertThat((double) times[i]).isCloseTo(factor * base[i], within(1e-4 * factor * (1 + base[i])));
        }
    }

    @Property(tries = 30)
    void aRelativeCovariateMeansTheSameInAnyCurrency(@ForAll @IntRange(min = 0, max = 5) int series,
                                                     @ForAll @DoubleRange(min = 0.01, max = 100.0) double rate) {
        SeriesHistory h = histories.get(series);
        double[] price = h.covariates().get("price").clone();
        for (int t = 0; t < price.length; t++) {
            price[t] *= rate;
        }
        SeriesHistory converted = new SeriesHistory(h.series(), h.bucket(), h.start(), h.units(),
                Map.of("price", price));
        float[] base = model.predict(model.encoder().encode(List.of(h)));
        float[] other = model.predict(model.encoder().encode(List.of(converted)));
        for (int i = 0; i < base.length; i++) {
            assertThat((double) other[i]).isCloseTo(base[i], within(1e-4 * (1 + base[i])));
        }
    }

    @Property(tries = 20)
    void belowTheFloorSmallCountsAreNotBlownUp(@ForAll @IntRange(min = 1, max = 30) int length) {
        // A new product with a few zero buckets: scale is the floor, the forecast stays small and finite.
        SeriesHistory zeros = SeriesHistory.of("new", Bucket.DAY, SyntheticDemand.MONDAY, new double[length]);
        float[] out = model.predict(model.encoder().encode(List.of(zeros)));
        for (float v : out) {
            assertThat(v).isFinite().isBetween(0f, 100f);
        }
    }
}
