package io.demandcast.model;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/**
 * The time unit of a series: one bucket is one observation. Buckets are aligned in UTC: hours on the hour,
 * days at midnight, weeks on Monday, months on the 1st.
 */
public enum Bucket {
    HOUR(24), DAY(7), WEEK(52), MONTH(12);

    private final int season;

    Bucket(int season) {
        this.season = season;
    }

    /** The seasonal period m used by seasonal naive and MASE: hour 24, day 7, week 52, month 12. */
    public int season() {
        return season;
    }

    /** Start of the bucket that contains {@code t}. */
    public Instant floor(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> z.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAY -> z.truncatedTo(ChronoUnit.DAYS).toInstant();
            case WEEK -> z.truncatedTo(ChronoUnit.DAYS)
                    .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toInstant();
            case MONTH -> z.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        };
    }

    /** Start of the bucket {@code n} buckets after the one starting at {@code start} (n may be negative). */
    public Instant plus(Instant start, long n) {
        ZonedDateTime z = start.atZone(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> z.plusHours(n).toInstant();
            case DAY -> z.plusDays(n).toInstant();
            case WEEK -> z.plusWeeks(n).toInstant();
            case MONTH -> z.plusMonths(n).toInstant();
        };
    }

    /** Whole buckets from the bucket starting at {@code from} to the one starting at {@code to}. */
    public long between(Instant from, Instant to) {
        ZonedDateTime a = from.atZone(ZoneOffset.UTC);
        ZonedDateTime b = to.atZone(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> ChronoUnit.HOURS.between(a, b);
            case DAY -> ChronoUnit.DAYS.between(a, b);
            case WEEK -> ChronoUnit.WEEKS.between(a, b);
            case MONTH -> ChronoUnit.MONTHS.between(a, b);
        };
    }

    /** Start of the bucket holding a calendar date (midnight UTC of that date, floored to the bucket). */
    public Instant floor(LocalDate date) {
        return floor(date.atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** Parses hour|day|week|month, case-insensitively, with a message naming the accepted values. */
    public static Bucket parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("bucket must be one of hour, day, week, month; got '" + text + "'");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
