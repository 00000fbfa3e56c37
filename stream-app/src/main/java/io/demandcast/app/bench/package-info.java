/**
 * {@code forecaster bench}: streaming performance measured against a baseline in the same run (pipeline
 * throughput against a bare Kafka Streams windowed count; the forecast cycle with the LSTM against the seasonal
 * naive fallback), on the local broker and registry. See BENCHMARKS.md for the figures and how to read them.
 */
package io.demandcast.app.bench;
