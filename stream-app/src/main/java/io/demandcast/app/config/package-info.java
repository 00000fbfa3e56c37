/** The stream app's configuration: {@link io.demandcast.app.config.AppConfig}, read once from file and environment. */
package io.demandcast.app.config;
