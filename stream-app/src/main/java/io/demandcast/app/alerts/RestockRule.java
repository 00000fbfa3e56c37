package io.demandcast.app.alerts;

import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.RestockState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The alert rule, for one product with a valid stock level ({@link InventoryCheck}) and its latest forecast:
 * <ul>
 *   <li>reorder point = the demand over the lead time at the service-level quantile;</li>
 *   <li>inventory position = on hand + on order;</li>
 *   <li>RAISED when the position is below the reorder point, else CLEARED;</li>
 *   <li>suggested order = the order-up-to level (demand over the lead time plus {@code reviewBuckets} at the
 *       service level, within the horizon) minus the position, when RAISED; 0 when CLEARED;</li>
 *   <li>stock-out estimate = the start of the bucket by whose end the median cumulative demand reaches the stock
 *       on hand (the first bucket when nothing is on hand); null when that is beyond the horizon.</li>
 * </ul>
 */
public final class RestockRule {

    private RestockRule() {
    }

    /** The evaluation of {@code level} against {@code forecast}, made at wall-clock time {@code now}. */
    public static RestockAlert evaluate(InventoryLevel level, Forecast forecast, RestockPolicy policy, long now) {
        List<ForecastStep> steps = forecast.getSteps();
        int lead = level.getLeadTimeBuckets();
        int reach = steps.size();
        if (lead < 1 || lead > reach) {
            throw new IllegalArgumentException("product " + level.getProductId() + ": lead time " + lead
                    + " buckets, the forecast has " + reach + " steps");
        }
        double[] p10 = new double[reach];
        double[] p50 = new double[reach];
        double[] p90 = new double[reach];
        for (int k = 0; k < reach; k++) {
            ForecastStep s = steps.get(k);
            p10[k] = s.getP10();
            p50[k] = s.getP50();
            p90[k] = s.getP90();
        }
        String product = level.getProductId().toString();
        long seed = seed(product, forecast.getLastObservedBucket().toEpochMilli());
        LeadTimeDemand demand = LeadTimeDemand.sample(p10, p50, p90, reach, policy.stepCorrelation(),
                policy.samples(), seed);
        double service = level.getServiceLevel();
        double reorderPoint = demand.quantile(lead, service);
        double orderUpTo = demand.quantile(Math.min(reach, lead + policy.reviewBuckets()), service);
        double position = level.getOnHand() + level.getOnOrder();
        boolean raised = position < reorderPoint;
        int out = demand.stockoutBucket(level.getOnHand());
        return RestockAlert.newBuilder()
                .setProductId(product)
                .setOnHand(level.getOnHand())
                .setOnOrder(level.getOnOrder())
                .setDemandOverLeadTimeP50(demand.median(lead))
                .setDemandOverLeadTimeAtServiceLevel(reorderPoint)
                .setSuggestedOrder(raised ? Math.max(0, orderUpTo - position) : 0.0)
                .setStockoutEstimate(out == 0 ? null : steps.get(out - 1).getBucketStart())
                .setForecastModelVersion(forecast.getModelVersion())
                .setForecastLastObservedBucket(forecast.getLastObservedBucket())
                .setProducedAt(Instant.ofEpochMilli(now))
                .setState(raised ? RestockState.RAISED : RestockState.CLEARED)
                .setLeadTimeBuckets(lead)
                .setServiceLevel(service)
                .setOrderUpToLevel(orderUpTo)
                .build();
    }

    /** The sampling seed of one product's forecast: a replay draws the same paths, so it raises the same alerts. */
    static long seed(String product, long lastObservedBucket) {
        long h = 1125899906842597L;
        for (byte b : product.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return h * 0x9E3779B97F4A7C15L ^ lastObservedBucket;
    }
}
