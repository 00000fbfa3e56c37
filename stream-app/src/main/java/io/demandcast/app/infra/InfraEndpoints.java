package io.demandcast.app.infra;

/**
 * How clients reach the local servers.
 *
 * @param bootstrapServers  Kafka's {@code bootstrap.servers}
 * @param schemaRegistryUrl the Confluent-compatible registry API, for any Confluent serde's
 *                          {@code schema.registry.url}
 */
public record InfraEndpoints(String bootstrapServers, String schemaRegistryUrl) {
}
