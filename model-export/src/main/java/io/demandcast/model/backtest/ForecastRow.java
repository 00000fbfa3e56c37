package io.demandcast.model.backtest;

import java.time.Instant;

/** One line of forecasts.csv: one series, origin, step (1-based) and method. */
public record ForecastRow(String series, Instant bucketStart, int origin, int step, String method, double actual,
                          double p10, double p50, double p90) {
}
