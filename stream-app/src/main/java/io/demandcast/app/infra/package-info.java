/**
 * Local infrastructure for development and demos: a real single-node Kafka broker (KRaft) and a real
 * Confluent-compatible Schema Registry (Apicurio Registry's ccompat API), each a background JVM bound to
 * 127.0.0.1, with data, logs and pid files under one run folder.
 *
 * <p>Public face: {@link io.demandcast.app.infra.LocalInfra} (up, status, down) with
 * {@link io.demandcast.app.infra.InfraSettings} and {@link io.demandcast.app.infra.InfraDistribution};
 * {@link io.demandcast.app.infra.InfraCommand} is the {@code forecaster infra} command over it.
 */
package io.demandcast.app.infra;
