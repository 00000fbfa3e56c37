package io.demandcast.model.encode;

import java.time.Instant;
import java.util.List;

/**
 * Model inputs for a batch of windows, row-major float arrays ready to become tensors.
 *
 * <ul>
 *   <li>{@code past} [size, lookback, pastWidth]: the lookback buckets, oldest first, in natural units; rows before
 *   the start of a history are all zeros (the {@code observed} column tells them apart).</li>
 *   <li>{@code future} [size, horizon, futureWidth]: calendar and known covariates of the horizon buckets.</li>
 *   <li>{@code targets} [size, horizon]: the units to predict, or null when the batch is for inference.</li>
 * </ul>
 * {@code series} and {@code firstBuckets} say, per row, which series it is and the first forecast bucket.
 * The arrays are handed over, not copied.
 */
public record EncodedBatch(int size, int lookback, int horizon, int pastWidth, int futureWidth,
                           float[] past, float[] future, float[] targets,
                           List<String> series, List<Instant> firstBuckets) {

    public EncodedBatch {
        if (past.length != size * lookback * pastWidth) {
            throw new IllegalArgumentException("past has " + past.length + " values, expected " + size + "x"
                    + lookback + "x" + pastWidth);
        }
        if (future.length != size * horizon * futureWidth) {
            throw new IllegalArgumentException("future has " + future.length + " values, expected " + size + "x"
                    + horizon + "x" + futureWidth);
        }
        if (targets != null && targets.length != size * horizon) {
            throw new IllegalArgumentException("targets has " + targets.length + " values, expected " + size + "x"
                    + horizon);
        }
        if (series.size() != size || firstBuckets.size() != size) {
            throw new IllegalArgumentException("batch of " + size + " rows with " + series.size() + " series and "
                    + firstBuckets.size() + " first buckets");
        }
    }

    public float past(int row, int step, int feature) {
        return past[(row * lookback + step) * pastWidth + feature];
    }

    public float future(int row, int step, int feature) {
        return future[(row * horizon + step) * futureWidth + feature];
    }

    public float target(int row, int step) {
        return targets[row * horizon + step];
    }
}
