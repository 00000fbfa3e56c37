/**
 * {@code forecaster tail}: any topic of the project as JSON lines ({@link io.demandcast.app.tail.TopicTail}),
 * values decoded with the writer's schema from the registry ({@link io.demandcast.app.tail.RegistryDecoder}).
 */
package io.demandcast.app.tail;
