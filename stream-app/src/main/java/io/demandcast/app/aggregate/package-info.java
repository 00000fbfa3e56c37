/**
 * Per-series bucketed sales driven by our own bucket clock in key-value stores: open buckets, closing with
 * zero-fill, the bounded history, late records and retirement.
 */
package io.demandcast.app.aggregate;
