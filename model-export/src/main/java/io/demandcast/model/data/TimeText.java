package io.demandcast.model.data;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Parses the time formats a sales file may use; times without an offset are taken as UTC. */
final class TimeText {

    static final String FORMATS = "yyyy-MM, yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, an ISO date-time or an instant";

    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm[:ss]");

    private TimeText() {
    }

    /** The instant of {@code text}, or null when it is in none of the accepted formats. */
    static Instant parse(String text) {
        String t = text.trim();
        try {
            if (t.length() == 7) {
                return YearMonth.parse(t).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (t.length() > 10 && t.charAt(10) == ' ') {
                return LocalDateTime.parse(t, SPACED).toInstant(ZoneOffset.UTC);
            }
            if (t.endsWith("Z") || t.lastIndexOf('+') > 10 || t.lastIndexOf('-') > 10) {
                return OffsetDateTime.parse(t).toInstant();
            }
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
