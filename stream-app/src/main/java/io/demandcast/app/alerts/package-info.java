/**
 * Restock alerts: each product's stock level ({@code inventory}) against its latest forecast. The demand over the
 * lead time is sampled from the forecast's per-step quantiles ({@link io.demandcast.app.alerts.LeadTimeDemand});
 * {@link io.demandcast.app.alerts.RestockRule} decides whether the product needs an order and how much;
 * {@link io.demandcast.app.alerts.RestockAlerts} is the processor that publishes one record per change of state.
 */
package io.demandcast.app.alerts;
