/**
 * The stream app's configuration: {@link io.demandcast.app.config.AppConfig}, read once from file and environment,
 * its keys defined once in a Kafka {@code ConfigDef}, from which {@link io.demandcast.app.config.ConfigTable} makes
 * the README's configuration table.
 */
package io.demandcast.app.config;
