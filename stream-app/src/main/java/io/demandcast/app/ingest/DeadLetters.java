package io.demandcast.app.ingest;

import io.demandcast.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds the {@code orders-dlq} record of a refusal. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter of(Rejection rejection, byte[] originalValue, Origin origin, long wallClock) {
        return DeadLetter.newBuilder()
                .setOriginalValue(originalValue == null ? null : ByteBuffer.wrap(originalValue))
                .setTopic(origin.topic())
                .setPartition(origin.partition())
                .setOffset(origin.offset())
                .setReason(rejection.reason())
                .setDetail(rejection.detail())
                .setErrorClass(rejection.errorClass())
                .setTime(Instant.ofEpochMilli(wallClock))
                .build();
    }
}
