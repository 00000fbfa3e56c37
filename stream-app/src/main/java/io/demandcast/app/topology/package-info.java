/** The forecaster's Kafka Streams topology, built free of I/O from configuration. */
package io.demandcast.app.topology;
