package io.demandcast.model.lstm;

import io.demandcast.model.SeriesHistory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which windows (series, origin) a model trains and validates on. Validation is split by time: the last
 * {@code holdout} buckets of every series are only ever targets of validation windows, never of training ones.
 * Training origins start at 1, so the network also learns from windows with a single observed bucket, as a new
 * product has.
 */
final class TrainingWindows {

    /** A window: its series, its origin and the end (exclusive) of the targets it may see. */
    record Window(int series, int origin, int targetEnd) {
    }

    private final List<List<Window>> trainingBySeries = new ArrayList<>();
    private final List<Window> validation = new ArrayList<>();
    private final int trainingCount;

    TrainingWindows(List<SeriesHistory> histories, int horizon, int holdout) {
        this(histories, horizon, holdout, horizon);
    }

    /**
     * @param minTargets the fewest observed targets a training window needs: {@code horizon} for whole futures
     *                   only; fewer lets the windows nearest the held-out buckets train on the targets they have
     *                   (the rest are NaN, skipped by the loss). Validation windows always have whole futures.
     */
    TrainingWindows(List<SeriesHistory> histories, int horizon, int holdout, int minTargets) {
        if (minTargets < 1 || minTargets > horizon) {
            throw new IllegalArgumentException("minTargets must be in 1.." + horizon + "; got " + minTargets);
        }
        int count = 0;
        for (int s = 0; s < histories.size(); s++) {
            int n = histories.get(s).length();
            int end = n - holdout;
            List<Window> own = new ArrayList<>();
            for (int origin = 1; origin + minTargets <= end; origin++) {
                own.add(new Window(s, origin, Math.min(end, origin + horizon)));
            }
            count += own.size();
            trainingBySeries.add(own);
            if (holdout > 0) {
                for (int origin = Math.max(1, n - holdout); origin + horizon <= n; origin++) {
                    validation.add(new Window(s, origin, origin + horizon));
                }
            }
        }
        this.trainingCount = count;
    }

    int trainingCount() {
        return trainingCount;
    }

    List<Window> validation() {
        return validation;
    }

    /** One epoch's training windows in a seeded random order, at most {@code perSeries} of each series (0: all). */
    List<Window> epoch(Random random, int perSeries) {
        List<Window> out = new ArrayList<>();
        for (List<Window> own : trainingBySeries) {
            if (perSeries == 0 || own.size() <= perSeries) {
                out.addAll(own);
            } else {
                List<Window> copy = new ArrayList<>(own);
                Collections.shuffle(copy, random);
                out.addAll(copy.subList(0, perSeries));
            }
        }
        Collections.shuffle(out, random);
        return out;
    }
}
