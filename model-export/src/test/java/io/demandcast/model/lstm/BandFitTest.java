package io.demandcast.model.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The band's factors fitted on validation windows: each side moves toward where the unseen actuals fall, narrower
 * as well as wider unless the weights are refitted afterwards, and buckets forecast as zero do not pull it.
 */
class BandFitTest {

    private static final double[] LEVELS = {0.1, 0.5, 0.9};

    /** Actuals spread evenly over [100, 200] (P10 110, P90 190); every row forecasts 150 with the given band. */
    private static void addSpread(List<float[]> out, List<float[]> y, List<float[]> scale, int rows,
                                  float p10, float p90) {
        float[] o = new float[rows * 3];
        float[] t = new float[rows];
        float[] s = new float[rows];
        for (int r = 0; r < rows; r++) {
            o[r * 3] = p10;
            o[r * 3 + 1] = 150;
            o[r * 3 + 2] = p90;
            t[r] = 100 + 100f * (r + 0.5f) / rows;
            s[r] = 150;
        }
        out.add(o);
        y.add(t);
        scale.add(s);
    }

    private static LstmTrainer.ValidationRun spread(float p10, float p90) {
        List<float[]> out = new ArrayList<>();
        List<float[]> y = new ArrayList<>();
        List<float[]> scale = new ArrayList<>();
        addSpread(out, y, scale, 1000, p10, p90);
        return new LstmTrainer.ValidationRun(out, y, scale);
    }

    @Test
    void aBandTwiceTooWideIsHalvedWithoutARefitAndKeptWithOne() {
        LstmTrainer.ValidationRun run = spread(70, 230);
        double[] band = LstmTrainer.fitBand(run, LEVELS, LstmTrainer.factors(false));
        assertThat(band[0]).isCloseTo(0.5, within(0.051));
        assertThat(band[1]).isCloseTo(0.5, within(0.051));
        assertThat(LstmTrainer.fitBand(run, LEVELS, LstmTrainer.factors(true))).containsExactly(1, 1);
    }

    @Test
    void aBandTwiceTooNarrowIsDoubledEitherWay() {
        LstmTrainer.ValidationRun run = spread(130, 170);
        for (boolean refit : new boolean[] {false, true}) {
            double[] band = LstmTrainer.fitBand(run, LEVELS, LstmTrainer.factors(refit));
            assertThat(band[0]).as("refit %s", refit).isCloseTo(2, within(0.051));
            assertThat(band[1]).as("refit %s", refit).isCloseTo(2, within(0.051));
        }
    }

    @Test
    void bucketsServedAsZeroDoNotWidenTheLowerSide() {
        List<float[]> out = new ArrayList<>();
        List<float[]> y = new ArrayList<>();
        List<float[]> scale = new ArrayList<>();
        addSpread(out, y, scale, 1000, 110, 190);
        // Closed days: actual 0, every quantile far under the zero share of a scale of 10,000 (100), so served as
        // 0 at any factor; scored as the unclamped values they would ask for the widest lower side.
        int closed = 3000;
        float[] o = new float[closed * 3];
        float[] t = new float[closed];
        float[] s = new float[closed];
        for (int r = 0; r < closed; r++) {
            o[r * 3] = 60;
            o[r * 3 + 1] = 80;
            o[r * 3 + 2] = 90;
            s[r] = 10_000;
        }
        out.add(o);
        y.add(t);
        scale.add(s);
        double[] band = LstmTrainer.fitBand(new LstmTrainer.ValidationRun(out, y, scale), LEVELS,
                LstmTrainer.factors(false));
        assertThat(band[0]).isCloseTo(1, within(0.051));
        assertThat(band[1]).isCloseTo(1, within(0.051));
    }

    @Test
    void withoutValidationWindowsTheBandStaysAsTrained() {
        LstmTrainer.ValidationRun none = new LstmTrainer.ValidationRun(List.of(), List.of(), List.of());
        assertThat(LstmTrainer.fitBand(none, LEVELS, LstmTrainer.factors(false))).containsExactly(1, 1);
    }
}
