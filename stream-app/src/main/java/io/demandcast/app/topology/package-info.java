/** The forecaster's Kafka Streams topology, built free of I/O from configuration, and its metrics. */
package io.demandcast.app.topology;
