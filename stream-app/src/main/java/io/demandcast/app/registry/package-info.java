/**
 * The model registry on the compacted models topic: {@link io.demandcast.app.registry.ModelRegistry} publishes
 * releases (the SavedModel zipped into the record, or a URI when too big), lists them and re-promotes an older one;
 * {@link io.demandcast.app.registry.ModelReleaseFollower} keeps a {@link io.demandcast.app.cycle.ModelSlot} on
 * the current champion; {@code forecaster models} is the operator's command line.
 */
package io.demandcast.app.registry;
