package io.demandcast.model.encode;

import io.demandcast.model.Bucket;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Calendar features derived from a bucket's start (UTC). Weekly shapes in retail are irregular (a shop closed on
 * Saturdays, a Monday peak), so day of week is one-hot; smooth cycles (hour of day, the year) are sin/cos pairs;
 * month of a monthly series is one-hot because monthly retail seasonality is as irregular as the weekday one.
 *
 * <ul>
 *   <li>HOUR: hour of day (2 harmonics, 4 features) and day of week (one-hot, 7)</li>
 *   <li>DAY: day of week (one-hot, 7) and the position in the year (1 harmonic, 2)</li>
 *   <li>WEEK: the position in the year (2 harmonics, 4)</li>
 *   <li>MONTH: month of year (one-hot, 12)</li>
 * </ul>
 */
final class Calendar {

    private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    private static final String[] MONTHS =
            {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

    private Calendar() {
    }

    static List<String> names(Bucket bucket) {
        List<String> names = new ArrayList<>();
        switch (bucket) {
            case HOUR -> {
                harmonicNames(names, "hour", 2);
                for (String d : DAYS) {
                    names.add("dow_" + d);
                }
            }
            case DAY -> {
                for (String d : DAYS) {
                    names.add("dow_" + d);
                }
                harmonicNames(names, "year", 1);
            }
            case WEEK -> harmonicNames(names, "year", 2);
            case MONTH -> {
                for (String m : MONTHS) {
                    names.add("month_" + m);
                }
            }
        }
        return names;
    }

    static int width(Bucket bucket) {
        return switch (bucket) {
            case HOUR -> 11;
            case DAY -> 9;
            case WEEK -> 4;
            case MONTH -> 12;
        };
    }

    /** Writes the calendar features of the bucket starting at {@code start} into {@code out} at {@code offset}. */
    static void write(Bucket bucket, Instant start, float[] out, int offset) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(start.getEpochSecond(), 0, ZoneOffset.UTC);
        switch (bucket) {
            case HOUR -> {
                harmonics(out, offset, t.getHour() / 24.0, 2);
                out[offset + 4 + t.getDayOfWeek().getValue() - 1] = 1f;
            }
            case DAY -> {
                out[offset + t.getDayOfWeek().getValue() - 1] = 1f;
                harmonics(out, offset + 7, yearFraction(t), 1);
            }
            case WEEK -> harmonics(out, offset, yearFraction(t), 2);
            case MONTH -> out[offset + t.getMonthValue() - 1] = 1f;
        }
    }

    private static double yearFraction(LocalDateTime t) {
        return (t.getDayOfYear() - 1) / (double) t.toLocalDate().lengthOfYear();
    }

    private static void harmonicNames(List<String> names, String cycle, int harmonics) {
        for (int k = 1; k <= harmonics; k++) {
            names.add(cycle + "_sin" + k);
            names.add(cycle + "_cos" + k);
        }
    }

    private static void harmonics(float[] out, int offset, double fraction, int harmonics) {
        for (int k = 1; k <= harmonics; k++) {
            double angle = 2 * Math.PI * k * fraction;
            out[offset + 2 * (k - 1)] = (float) Math.sin(angle);
            out[offset + 2 * (k - 1) + 1] = (float) Math.cos(angle);
        }
    }
}
