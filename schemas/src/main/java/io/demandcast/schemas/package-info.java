/** Avro contracts of every Demandcast topic, their serdes and the registry of topic names. */
package io.demandcast.schemas;
