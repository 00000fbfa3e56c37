/** Accuracy measures (MASE, RMSSE, WAPE, bias, pinball loss, coverage), per series and per method. */
package io.demandcast.model.metrics;
