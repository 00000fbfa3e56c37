package io.demandcast.model;

import java.util.List;

/**
 * A forecasting method that forecasts many series at once (one batch): the LSTM and every baseline. The result
 * has one forecast per history, in the same order, each starting at {@code history.end()}.
 */
public interface Forecaster {

    /** Name written in forecasts and reports: {@code lstm}, {@code seasonal_naive}, ... */
    String method();

    List<QuantileForecast> forecast(List<SeriesHistory> histories, int horizon);

    /**
     * The same forecasts as one {@link ForecastBlock}, row i for history i. A forecaster that computes a batch as one
     * array overrides this to hand it out without a {@link QuantileForecast} per series.
     */
    default ForecastBlock forecastBlock(List<SeriesHistory> histories, int horizon) {
        return ForecastBlock.of(forecast(histories, horizon));
    }
}
