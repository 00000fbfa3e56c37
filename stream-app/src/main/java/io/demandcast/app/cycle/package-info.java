/**
 * The forecast cycle run on every bucket close: the model behind a swappable handle, batched inference and the
 * seasonal naive fallback.
 */
package io.demandcast.app.cycle;
