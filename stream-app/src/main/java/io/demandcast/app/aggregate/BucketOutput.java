package io.demandcast.app.aggregate;

import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.SalesBucket;

/** What the bucket aggregator emits: a closed bucket, a forecast made on close, or a late record's dead letter. */
public sealed interface BucketOutput {

    record Actual(SalesBucket bucket) implements BucketOutput {
    }

    /** A forecast in the wire format of {@code forecasts}: encoded once, kept as the latest and published. */
    record Forecasted(byte[] encoded) implements BucketOutput {
    }

    /** {@code orderKey} is the key of the order on {@code orders}: the dead letter's key. */
    record Late(DeadLetter letter, String orderKey) implements BucketOutput {
    }
}
