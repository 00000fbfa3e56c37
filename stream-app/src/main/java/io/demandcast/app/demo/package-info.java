/**
 * {@code forecaster demo}: the whole job on the Online Retail data in one command. {@link
 * io.demandcast.app.demo.DemoCommand} starts or reuses the local servers; {@link io.demandcast.app.demo.DemoRun}
 * trains, starts the app in-process, replays, watches the committed outputs and scores them; {@link
 * io.demandcast.app.demo.DemoSummary} is what it found, and the report goes with it.
 */
package io.demandcast.app.demo;
