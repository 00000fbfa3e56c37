/**
 * Avro values on Kafka in the Confluent wire format, through a Confluent-compatible Schema Registry.
 *
 * <p>A reader meets three types: {@link io.demandcast.schemas.registry.SerdeConfig} (the settings, read from
 * the usual {@code schema.registry.*} properties), {@link io.demandcast.schemas.registry.AvroSerdes} (the
 * {@link io.demandcast.schemas.Topics.ValueSerdes} that makes the serdes) and
 * {@link io.demandcast.schemas.registry.SchemaRegistryClient} (the REST client the serdes share). Failures of
 * the registry are {@link io.demandcast.schemas.registry.SchemaRegistryException}s; the serdes turn every failure
 * into Kafka's {@code SerializationException}, naming the topic.
 */
package io.demandcast.schemas.registry;
