/** The forecasting model: encoder, LSTM, training, export, baselines and metrics. Knows nothing of Kafka. */
package io.demandcast.model;
