package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.QuantileForecast;
import io.demandcast.model.SeriesHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A known-future promotion flag (a 0/1 covariate given for the horizon too): the model learns its lift from the
 * history and puts it on exactly the flagged steps of the forecast, not a step early or late.
 */
class PromotionFlagTest {

    private static final int DAYS = 200;
    private static final int H = 10;
    private static final double LIFT = 2.5;

    @Test
    void theForecastRisesOnTheFlaggedStepsOfTheHorizonAndNowhereElse() {
        Random random = new Random(5);
        List<SeriesHistory> histories = new ArrayList<>();
        for (int s = 0; s < 30; s++) {
            double level = 10 + random.nextDouble() * 30;
            double[] promo = new double[DAYS + H];
            for (int t = 0; t < DAYS; ) {
                if (random.nextDouble() < 0.04) {
                    int length = 2 + random.nextInt(3);
                    for (int j = t; j < Math.min(DAYS, t + length); j++) {
                        promo[j] = 1;
                    }
                    t += length + 3;
                } else {
                    t++;
                }
            }
            // The planned promotion of the horizon: steps 3, 4 and 5 only.
            for (int h = 3; h < 6; h++) {
                promo[DAYS + h] = 1;
            }
            double[] units = new double[DAYS];
            for (int t = 0; t < DAYS; t++) {
                units[t] = poisson(random, level * (promo[t] == 1 ? LIFT : 1.0));
            }
            histories.add(new SeriesHistory("sku-" + s, Bucket.DAY, SyntheticDemand.MONDAY, units,
                    Map.of("promo", promo)));
        }
        LstmConfig config = LstmConfig.defaults(Bucket.DAY).withShape(21, H, 1, 16, 8)
                .withTraining(14, 64, 0.01, 4, 7L, H).withServing(256, 2);
        try (LstmModel model = new LstmTrainer(config).train(histories, null)) {
            assertThat(model.encoder().futureFeatures()).contains("cov:promo");
            double promoted = 0;
            double before = 0;
            double after = 0;
            double plain = 0;
            for (QuantileForecast f : model.forecast(histories, H)) {
                double base = (f.p50(0) + f.p50(1) + f.p50(7) + f.p50(8) + f.p50(9)) / 5;
                promoted += (f.p50(3) + f.p50(4) + f.p50(5)) / 3 / base;
                before += f.p50(2) / base;
                after += f.p50(6) / base;
                plain += base;
            }
            int n = histories.size();
            assertThat(plain).as("forecasts of demand, not zeros").isGreaterThan(n * 5.0);
            assertThat(promoted / n).as("the lift on the flagged steps (true lift %s)", LIFT).isGreaterThan(1.7);
            assertThat(before / n).as("the step before the promotion").isBetween(0.75, 1.3);
            assertThat(after / n).as("the step after it").isBetween(0.75, 1.3);
        }
    }

    private static double poisson(Random random, double mean) {
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int k = 0;
        while (product > limit) {
            product *= random.nextDouble();
            k++;
        }
        return k;
    }
}
