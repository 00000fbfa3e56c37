/** Offline backtests on a time split: {@link io.demandcast.model.backtest.Backtest} and its written report. */
package io.demandcast.model.backtest;
