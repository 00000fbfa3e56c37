package io.demandcast.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Bucket arithmetic against the calendar: the fixed-length buckets are computed on epoch milliseconds, which must
 * agree with zoned-date arithmetic in UTC everywhere, before 1970 and across leap years included.
 */
class BucketTest {

    /** 1800 to 2200, in milliseconds, with an arbitrary sub-millisecond part added by the properties. */
    private static final long FROM_MS = -5_364_662_400_000L;
    private static final long TO_MS = 7_258_118_400_000L;

    @Test
    void handPickedBoundaries() {
        Instant t = Instant.parse("2010-12-05T23:59:59.999Z"); // a Sunday
        assertThat(Bucket.HOUR.floor(t)).isEqualTo(Instant.parse("2010-12-05T23:00:00Z"));
        assertThat(Bucket.DAY.floor(t)).isEqualTo(Instant.parse("2010-12-05T00:00:00Z"));
        assertThat(Bucket.WEEK.floor(t)).isEqualTo(Instant.parse("2010-11-29T00:00:00Z"));
        assertThat(Bucket.WEEK.floor(Instant.parse("2010-12-06T00:00:00Z")))
                .isEqualTo(Instant.parse("2010-12-06T00:00:00Z"));
        assertThat(Bucket.WEEK.floor(Instant.parse("1970-01-01T12:00:00Z")))
                .isEqualTo(Instant.parse("1969-12-29T00:00:00Z"));
        assertThat(Bucket.DAY.plus(Instant.parse("2024-02-28T00:00:00Z"), 2))
                .isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
        assertThat(Bucket.DAY.between(Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-02-28T00:00:00Z")))
                .isEqualTo(-2);
        assertThat(Bucket.HOUR.between(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-01T01:59:59Z")))
                .isEqualTo(1);
    }

    @Property(tries = 2000)
    void floorMatchesTheCalendar(@ForAll @LongRange(min = FROM_MS, max = TO_MS) long ms,
                                 @ForAll @IntRange(min = 0, max = 999_999) int nanos) {
        Instant t = Instant.ofEpochMilli(ms).plusNanos(nanos);
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        assertThat(Bucket.HOUR.floor(t)).isEqualTo(z.truncatedTo(ChronoUnit.HOURS).toInstant());
        assertThat(Bucket.DAY.floor(t)).isEqualTo(z.truncatedTo(ChronoUnit.DAYS).toInstant());
        assertThat(Bucket.WEEK.floor(t)).isEqualTo(z.truncatedTo(ChronoUnit.DAYS)
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toInstant());
    }

    @Property(tries = 2000)
    void plusAndBetweenMatchTheCalendar(@ForAll @LongRange(min = FROM_MS, max = TO_MS) long fromMs,
                                        @ForAll @LongRange(min = FROM_MS, max = TO_MS) long toMs,
                                        @ForAll @IntRange(min = -100_000, max = 100_000) int n) {
        Instant from = Instant.ofEpochMilli(fromMs);
        Instant to = Instant.ofEpochMilli(toMs);
        ZonedDateTime a = from.atZone(ZoneOffset.UTC);
        ZonedDateTime b = to.atZone(ZoneOffset.UTC);
        assertThat(Bucket.HOUR.between(from, to)).isEqualTo(ChronoUnit.HOURS.between(a, b));
        assertThat(Bucket.DAY.between(from, to)).isEqualTo(ChronoUnit.DAYS.between(a, b));
        assertThat(Bucket.WEEK.between(from, to)).isEqualTo(ChronoUnit.WEEKS.between(a, b));
        assertThat(Bucket.HOUR.plus(from, n)).isEqualTo(a.plusHours(n).toInstant());
        assertThat(Bucket.DAY.plus(from, n)).isEqualTo(a.plusDays(n).toInstant());
        assertThat(Bucket.WEEK.plus(from, n / 7)).isEqualTo(a.plusWeeks(n / 7).toInstant());
        for (Bucket bucket : Bucket.values()) {
            Instant start = bucket.floor(from);
            int k = bucket == Bucket.MONTH ? n / 30 : n / 7;
            assertThat(bucket.between(start, bucket.plus(start, k))).isEqualTo(k);
        }
    }
}
