package io.demandcast.model;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The time unit of a series: one bucket is one observation. Buckets are aligned in UTC: hours on the hour,
 * days at midnight, weeks on Monday, months on the 1st.
 */
public enum Bucket {
    HOUR(24), DAY(7), WEEK(52), MONTH(12);

    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 86_400_000L;

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
        // UTC has no offset changes, so the fixed-length buckets are integer arithmetic on epoch milliseconds; the
        // stream's bucket clock and every history call these per record and per series (zoned dates showed up in
        // the forecast cycle's profile). Months keep the calendar.
        return switch (this) {
            case HOUR -> Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), HOUR_MS) * HOUR_MS);
            case DAY -> Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), DAY_MS) * DAY_MS);
            case WEEK -> {
                long day = Math.floorDiv(t.toEpochMilli(), DAY_MS);
                // 1970-01-01 was a Thursday: three days after a Monday.
                yield Instant.ofEpochMilli((day - Math.floorMod(day + 3, 7)) * DAY_MS);
            }
            case MONTH -> t.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        };
    }

    /** Start of the bucket {@code n} buckets after the one starting at {@code start} (n may be negative). */
    public Instant plus(Instant start, long n) {
        return switch (this) {
            case HOUR -> start.plusMillis(Math.multiplyExact(n, HOUR_MS));
            case DAY -> start.plusMillis(Math.multiplyExact(n, DAY_MS));
            case WEEK -> start.plusMillis(Math.multiplyExact(n, 7 * DAY_MS));
            case MONTH -> start.atZone(ZoneOffset.UTC).plusMonths(n).toInstant();
        };
    }

    /** Whole buckets from the bucket starting at {@code from} to the one starting at {@code to}. */
    public long between(Instant from, Instant to) {
        if (this != MONTH && from.getNano() % 1_000_000 == 0 && to.getNano() % 1_000_000 == 0) {
            // Whole milliseconds (every bucket start is): Java's division truncates toward zero, as ChronoUnit does.
            long span = Math.subtractExact(to.toEpochMilli(), from.toEpochMilli());
            return switch (this) {
                case HOUR -> span / HOUR_MS;
                case DAY -> span / DAY_MS;
                default -> span / (7 * DAY_MS);
            };
        }
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
