/**
 * Orders in: decoding the raw bytes of {@code orders}, validating them (bad ones become dead letters with a reason)
 * and exploding their lines into per-series sales.
 */
package io.demandcast.app.ingest;
