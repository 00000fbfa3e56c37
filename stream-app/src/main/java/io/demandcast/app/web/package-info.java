/**
 * The app's HTTP face: {@link io.demandcast.app.web.RestServer} serves the latest forecast per series (interactive
 * queries across instances, {@link io.demandcast.app.web.ForecastQueries}), health and the Prometheus scrape;
 * {@link io.demandcast.app.web.AvroJson} writes Avro records as JSON.
 */
package io.demandcast.app.web;
