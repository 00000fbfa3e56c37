/**
 * The stream app's configuration: {@link io.demandcast.app.config.AppConfig}, read once from file and environment,
 * its keys defined once in a Kafka {@code ConfigDef}, from which {@link io.demandcast.app.config.ConfigTable} makes
 * the configuration tables (README.md, docs/CONFIGURATION.md).
 */
package io.demandcast.app.config;
