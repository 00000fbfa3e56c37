package io.demandcast.app.ingest;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.OrderLine;
import io.demandcast.schemas.avro.OrderType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one order adds to one series: net units and revenue (a RETURN subtracts), the sold part alone (for the
 * mean price) and where the order came from (for a dead letter when it arrives too late).
 *
 * <p>Returns policy: a RETURN subtracts its units and revenue in the bucket of the return's own event time, not
 * in the bucket of the sale it reverses (the stream does not know which sale that was). A bucket's net units can
 * therefore be negative on {@code sales-actuals}; the forecast cycle treats a negative bucket as zero demand.
 */
public record SeriesSale(String series, long eventTime, double units, double revenue, double soldUnits,
                         double soldRevenue, Origin origin) implements SalesEvent {

    /**
     * The order's lines merged per series (the product id), so that an order with two lines of one product counts
     * as one order of that product.
     */
    public static List<SeriesSale> explode(OrderEvent order, Origin origin) {
        boolean isReturn = order.getType() == OrderType.RETURN;
        double sign = isReturn ? -1.0 : 1.0;
        long t = order.getEventTime().toEpochMilli();
        Map<String, double[]> perSeries = new LinkedHashMap<>();
        for (OrderLine line : order.getLines()) {
            double[] acc = perSeries.computeIfAbsent(line.getProductId(), k -> new double[4]);
            double revenue = line.getQuantity() * line.getUnitPrice();
            acc[0] += sign * line.getQuantity();
            acc[1] += sign * revenue;
            if (!isReturn) {
                acc[2] += line.getQuantity();
                acc[3] += revenue;
            }
        }
        List<SeriesSale> out = new ArrayList<>(perSeries.size());
        perSeries.forEach((series, a) -> out.add(new SeriesSale(series, t, a[0], a[1], a[2], a[3], origin)));
        return out;
    }
}
