/** Forecasters that need no training (seasonal naive, naive, moving average): the fallback and the yardsticks. */
package io.demandcast.model.baseline;
