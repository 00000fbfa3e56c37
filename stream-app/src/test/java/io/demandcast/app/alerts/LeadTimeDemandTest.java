package io.demandcast.app.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The quantiles of summed demand against what is known of sums in closed form. */
class LeadTimeDemandTest {

    private static final int MANY = 40_000;
    private static final double Z80 = 0.8416212335729143;

    private static double[] repeat(double v, int n) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void oneBucketReproducesTheForecastsOwnQuantiles() {
        LeadTimeDemand d = LeadTimeDemand.sample(new double[] {3}, new double[] {10}, new double[] {40}, 1, 0.25,
                MANY, 7);
        assertThat(d.quantile(1, 0.1)).isCloseTo(3, within(0.3));
        assertThat(d.quantile(1, 0.5)).isCloseTo(10, within(0.3));
        assertThat(d.quantile(1, 0.9)).isCloseTo(40, within(1.0));
        // Between P50 and P90 the upper scale of the band: P80 = P50 + z80 (P90 - P50) / z90.
        assertThat(d.quantile(1, 0.8)).isCloseTo(10 + Z80 * 30 / LeadTimeDemand.Z90, within(0.8));
    }

    @Test
    void independentBucketsSumLikeNormalsTheVarianceNotTheQuantilesAdding() {
        // Nine buckets, each N(100, 10^2) inside its band (P10 87.2, P90 112.8): the sum is N(900, 30^2), so its
        // P90 is 900 + 1.2816 * 30 = 938.4, far below the sum of the P90s, 1015.3.
        int n = 9;
        double sigma = 10;
        double half = LeadTimeDemand.Z90 * sigma;
        LeadTimeDemand d = LeadTimeDemand.sample(repeat(100 - half, n), repeat(100, n), repeat(100 + half, n), n,
                0.0, MANY, 11);
        assertThat(d.median(n)).isCloseTo(900, within(1.0));
        assertThat(d.quantile(n, 0.9)).isCloseTo(900 + LeadTimeDemand.Z90 * 30, within(1.5));
        assertThat(d.quantile(n, 0.1)).isCloseTo(900 - LeadTimeDemand.Z90 * 30, within(1.5));
        assertThat(d.quantile(n, 0.9)).isLessThan(n * (100 + half) - 50);
    }

    @Test
    void correlatedBucketsSumLikeNormalsWithTheCorrelatedVariance() {
        // Var(sum) = n sigma^2 (1 + (n - 1) rho): with n = 4, rho = 0.5, sigma = 10, sd = sqrt(400 * 2.5) = 31.6.
        int n = 4;
        double half = LeadTimeDemand.Z90 * 10;
        LeadTimeDemand d = LeadTimeDemand.sample(repeat(100 - half, n), repeat(100, n), repeat(100 + half, n), n,
                0.5, MANY, 13);
        double sd = Math.sqrt(4 * 100 * (1 + 3 * 0.5));
        assertThat(d.quantile(n, 0.8)).isCloseTo(400 + Z80 * sd, within(1.5));
        assertThat(d.quantile(n, 0.1)).isCloseTo(400 - LeadTimeDemand.Z90 * sd, within(1.5));
    }

    @Test
    void bucketsInLockstepSumTheirQuantiles() {
        // rho 1: every bucket at the same quantile of its own distribution, so the quantiles of the sum are the
        // sums of the quantiles, skewed bands included.
        double[] p10 = {0, 2, 5};
        double[] p50 = {4, 6, 9};
        double[] p90 = {20, 11, 30};
        LeadTimeDemand d = LeadTimeDemand.sample(p10, p50, p90, 3, 1.0, MANY, 17);
        assertThat(d.quantile(3, 0.5)).isCloseTo(19, within(0.3));
        assertThat(d.quantile(3, 0.9)).isCloseTo(61, within(1.0));
        assertThat(d.quantile(2, 0.1)).isCloseTo(2, within(0.3));
    }

    @Test
    void demandIsNeverNegativeAndSparseProductsHaveZeroQuantiles() {
        LeadTimeDemand d = LeadTimeDemand.sample(repeat(0, 5), repeat(0, 5), repeat(2, 5), 5, 0.25, MANY, 19);
        assertThat(d.quantile(1, 0.05)).isZero();
        assertThat(d.median(1)).isCloseTo(0, within(0.05));
        assertThat(d.quantile(5, 0.01)).isGreaterThanOrEqualTo(0);
        assertThat(d.quantile(5, 0.95)).isPositive();
    }

    @Test
    void aHeavierTailThanTheNormalAboveP90() {
        // Retail demand grows by multiples: above P90 the tail continues as a lognormal through P50 and P90.
        LeadTimeDemand d = LeadTimeDemand.sample(new double[] {0}, new double[] {50}, new double[] {200}, 1, 0,
                MANY, 23);
        double normal95 = 50 + 1.6448536269514722 * 150 / LeadTimeDemand.Z90;
        double lognormal95 = 200 * Math.pow(4, (1.6448536269514722 - LeadTimeDemand.Z90) / LeadTimeDemand.Z90);
        assertThat(d.quantile(1, 0.95)).isCloseTo(lognormal95, within(6.0)).isGreaterThan(normal95 + 20);
    }

    @Test
    void theSameSeedDrawsTheSamePaths() {
        double[] p10 = {1, 1, 1};
        double[] p50 = {5, 6, 7};
        double[] p90 = {9, 12, 20};
        LeadTimeDemand a = LeadTimeDemand.sample(p10, p50, p90, 3, 0.25, 2000, 42);
        LeadTimeDemand b = LeadTimeDemand.sample(p10, p50, p90, 3, 0.25, 2000, 42);
        LeadTimeDemand c = LeadTimeDemand.sample(p10, p50, p90, 3, 0.25, 2000, 43);
        assertThat(a.quantile(3, 0.9)).isEqualTo(b.quantile(3, 0.9));
        assertThat(a.quantile(3, 0.9)).isNotEqualTo(c.quantile(3, 0.9));
    }

    @Test
    void stockRunsOutInTheBucketWhereTheMedianCumulativeDemandReachesIt() {
        // Narrow bands around 10 a bucket: 25 units last two buckets and run out in the third.
        LeadTimeDemand d = LeadTimeDemand.sample(repeat(9.9, 5), repeat(10, 5), repeat(10.1, 5), 5, 0.25, 4000, 3);
        assertThat(d.stockoutBucket(25)).isEqualTo(3);
        assertThat(d.stockoutBucket(0)).isEqualTo(1);
        assertThat(d.stockoutBucket(1000)).isZero();
    }

    @Provide
    Arbitrary<double[]> sums() {
        // Few distinct values too: ties are where a partition goes wrong.
        return Arbitraries.oneOf(Arbitraries.doubles().between(0, 1e4),
                        Arbitraries.integers().between(0, 3).map(Integer::doubleValue),
                        Arbitraries.of(0.0, Double.POSITIVE_INFINITY))
                .array(double[].class).ofMinSize(1).ofMaxSize(300);
    }

    /** Every order statistic {@code select} finds is the one a sort puts at that index. */
    @Property(tries = 500)
    void selectFindsWhatASortPutsAtTheIndex(@ForAll("sums") double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] work = values.clone();
        for (int k = 0; k < values.length; k++) {
            assertThat(LeadTimeDemand.select(work, k)).as("index %d of %s", k, Arrays.toString(values))
                    .isEqualTo(sorted[k]);
        }
        Arrays.sort(work);
        assertThat(work).as("the same values, reordered").containsExactly(sorted);
    }
}
