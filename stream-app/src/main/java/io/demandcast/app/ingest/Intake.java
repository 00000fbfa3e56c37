package io.demandcast.app.ingest;

import io.demandcast.schemas.avro.DeadLetter;
import io.demandcast.schemas.avro.OrderEvent;

/**
 * What the intake makes of one record of {@code orders}: an order to count, or a dead letter; and, now and then,
 * a watermark of the task's progress in event time for every aggregating task.
 */
public sealed interface Intake {

    record Accepted(OrderEvent order, Origin origin) implements Intake {
    }

    record Refused(DeadLetter letter) implements Intake {
    }

    record Progress(OriginWatermark watermark) implements Intake {
    }
}
