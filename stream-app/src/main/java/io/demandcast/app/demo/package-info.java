/**
 * {@code forecaster demo}: the whole job on the Online Retail data in one command. {@link
 * io.demandcast.app.demo.DemoCommand} starts or reuses the local servers; {@link io.demandcast.app.demo.DemoRun}
 * trains, sends the file's orders as {@code produce} does, replays the scored period as {@code replay} does and scores
 * the replay's outputs; {@link io.demandcast.app.demo.DemoSummary} is what it found, and the report goes with it.
 */
package io.demandcast.app.demo;
