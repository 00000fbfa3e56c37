/** The {@code train} and {@code backtest} commands (picocli), with the model's trainer injected by the application. */
package io.demandcast.model.cli;
