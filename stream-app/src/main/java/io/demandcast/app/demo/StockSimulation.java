package io.demandcast.app.demo;

import io.demandcast.app.alerts.RestockPolicy;
import io.demandcast.app.alerts.RestockRule;
import io.demandcast.schemas.avro.Forecast;
import io.demandcast.schemas.avro.ForecastStep;
import io.demandcast.schemas.avro.InventoryLevel;
import io.demandcast.schemas.avro.RestockAlert;
import io.demandcast.schemas.avro.RestockState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A what-if of the restock policy over the demo's replay, the same rule as the stream's alerts
 * ({@link RestockRule}) driven once by the streamed forecasts and once by the seasonal naive. Per product and
 * method: the product starts with the stock its first evaluation asks for (the order-up-to level); each day the
 * orders due arrive, the product is evaluated on the forecast made after the day before, and a RAISED evaluation
 * orders its suggested quantity, which arrives {@code lead} days later; then the day's actual demand is served
 * from the stock on hand, what cannot be served is lost. Fill rate = units served / units demanded; a stock-out
 * day is a day with demand left unserved; mean stock is the on-hand stock at the end of each day.
 */
final class StockSimulation {

    /** One method's outcome over all products. */
    record Outcome(String method, int products, int productDays, double fillRate, int stockoutDays,
                   double meanStock, int orders) {
    }

    /** The outcomes per method, and each method's end-of-day stock of {@code plotted} day by day. */
    record Result(int lead, double serviceLevel, Map<String, Outcome> outcomes, String plotted,
                  List<Instant> days, Map<String, List<Double>> plottedStock, List<Double> plottedDemand) {

        String text() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "  what-if stock     the alert rule as policy (service level %.2f, "
                    + "lead time %d days, one review day), stock up to the order-up-to level at the start%n",
                    serviceLevel, lead));
            sb.append(String.format(Locale.ROOT, "  %-24s %8s %8s %9s %14s %10s %7s%n", "policy driven by",
                    "products", "days", "fill rate", "stock-out days", "mean stock", "orders"));
            for (Outcome o : outcomes.values()) {
                sb.append(String.format(Locale.ROOT, "  %-24s %8d %,8d %9.3f %,14d %10.1f %,7d%n",
                        label(o.method()), o.products(), o.productDays(), o.fillRate(), o.stockoutDays(),
                        o.meanStock(), o.orders()));
            }
            return sb.toString();
        }
    }

    private StockSimulation() {
    }

    static String label(String method) {
        return method.equals(DemoEvaluation.STREAMED) ? "streamed (lstm)" : "seasonal naive";
    }

    /**
     * @param points  the scored points of both methods (each (product, origin) with its steps and actuals)
     * @param plotted the product whose stock the report plots
     */
    static Result run(List<DemoEvaluation.Point> points, int lead, double serviceLevel, String plotted) {
        RestockPolicy policy = RestockPolicy.forHorizon(Math.max(lead + 1, 1));
        // method -> product -> origin -> steps (index step - 1)
        Map<String, Map<String, TreeMap<Instant, List<DemoEvaluation.Point>>>> byMethod = new TreeMap<>();
        for (DemoEvaluation.Point p : points) {
            byMethod.computeIfAbsent(p.method(), m -> new TreeMap<>())
                    .computeIfAbsent(p.product(), k -> new TreeMap<>())
                    .computeIfAbsent(p.origin(), k -> new ArrayList<>()).add(p);
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Map<String, List<Double>> plottedStock = new LinkedHashMap<>();
        List<Instant> days = new ArrayList<>();
        List<Double> plottedDemand = new ArrayList<>();
        for (String method : List.of(DemoEvaluation.STREAMED, DemoEvaluation.SEASONAL_NAIVE)) {
            Map<String, TreeMap<Instant, List<DemoEvaluation.Point>>> products = byMethod.get(method);
            if (products == null) {
                continue;
            }
            double served = 0;
            double demanded = 0;
            double stockSum = 0;
            int productDays = 0;
            int stockouts = 0;
            int orders = 0;
            int simulated = 0;
            for (Map.Entry<String, TreeMap<Instant, List<DemoEvaluation.Point>>> e : products.entrySet()) {
                String product = e.getKey();
                boolean plot = product.equals(plotted);
                List<Double> stockLine = plot ? new ArrayList<>() : null;
                double onHand = Double.NaN;
                Map<Integer, Double> arriving = new HashMap<>();
                double onOrder = 0;
                int day = 0;
                for (Map.Entry<Instant, List<DemoEvaluation.Point>> o : e.getValue().entrySet()) {
                    Forecast forecast = forecast(product, o.getKey(), o.getValue(), lead + 1);
                    if (forecast == null) {
                        break;
                    }
                    double demand = Math.max(0, o.getValue().stream().filter(p -> p.step() == 1).findFirst()
                            .orElseThrow().actual());
                    Double arrived = arriving.remove(day);
                    if (arrived != null) {
                        onHand += arrived;
                        onOrder -= arrived;
                    }
                    if (Double.isNaN(onHand)) {
                        onHand = RestockRule.evaluate(level(product, 0, 0, lead, serviceLevel), forecast, policy, 0)
                                .getOrderUpToLevel();
                    }
                    RestockAlert a = RestockRule.evaluate(level(product, onHand, onOrder, lead, serviceLevel),
                            forecast, policy, 0);
                    if (a.getState() == RestockState.RAISED && a.getSuggestedOrder() > 0) {
                        arriving.merge(day + lead, a.getSuggestedOrder(), Double::sum);
                        onOrder += a.getSuggestedOrder();
                        orders++;
                    }
                    double sold = Math.min(onHand, demand);
                    served += sold;
                    demanded += demand;
                    if (demand > onHand) {
                        stockouts++;
                    }
                    onHand -= sold;
                    stockSum += onHand;
                    productDays++;
                    if (plot) {
                        stockLine.add(onHand);
                        if (method.equals(DemoEvaluation.STREAMED)) {
                            days.add(o.getKey().plusSeconds(86_400));
                            plottedDemand.add(demand);
                        }
                    }
                    day++;
                }
                if (day > 0) {
                    simulated++;
                }
                if (plot) {
                    plottedStock.put(method, stockLine);
                }
            }
            outcomes.put(method, new Outcome(method, simulated, productDays,
                    demanded == 0 ? Double.NaN : served / demanded, stockouts,
                    productDays == 0 ? Double.NaN : stockSum / productDays, orders));
        }
        return new Result(lead, serviceLevel, outcomes, plotted, days, plottedStock, plottedDemand);
    }

    private static InventoryLevel level(String product, double onHand, double onOrder, int lead, double service) {
        return new InventoryLevel(product, onHand, onOrder, lead, service, Instant.EPOCH);
    }

    /** The forecast made after {@code origin} from its first {@code steps} steps; null when it has fewer. */
    private static Forecast forecast(String product, Instant origin, List<DemoEvaluation.Point> points, int steps) {
        ForecastStep[] s = new ForecastStep[steps];
        for (DemoEvaluation.Point p : points) {
            if (p.step() <= steps) {
                s[p.step() - 1] = new ForecastStep(p.target(), p.p10(), p.p50(), p.p90());
            }
        }
        for (ForecastStep step : s) {
            if (step == null) {
                return null;
            }
        }
        return new Forecast(product, origin, List.of(s), "what-if", "what-if", origin);
    }
}
