package io.demandcast.app.config;

import io.demandcast.model.Bucket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * A {@link ConfigDef.Validator} that says in words what a key accepts: the same words go into the refusal
 * ({@code expected ..., got '...'}) and into the "valid values" column of the configuration tables.
 * Values come already parsed to the key's {@link ConfigDef.Type}; defaults are checked too, when the definition is
 * built.
 */
final class Expect implements ConfigDef.Validator {

    /** Grace in buckets: {@code 1 bucket}, {@code 0.5 buckets}. */
    static final Pattern BUCKETS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*buckets?", Pattern.CASE_INSENSITIVE);

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:_-]+");
    private static final Pattern HOST_PORT = Pattern.compile("[^:\\s]+:\\d{1,5}");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern MODEL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,100}");

    private final String expected;
    private final Predicate<Object> accepts;

    private Expect(String expected, Predicate<Object> accepts) {
        this.expected = expected;
        this.accepts = accepts;
    }

    /** What the key accepts, as the end of "expected ...". */
    String expected() {
        return expected;
    }

    @Override
    public void ensureValid(String name, Object value) {
        boolean ok;
        try {
            ok = accepts.test(value);
        } catch (RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            // AppConfig turns this into an InvalidConfigException with the key's environment name; the value is
            // not part of this message so that a secret does not travel in it.
            throw new ConfigException(name + ": expected " + expected);
        }
    }

    @Override
    public String toString() {
        return expected;
    }

    static Expect nonEmpty() {
        return new Expect("a non-empty value", v -> v instanceof String s && !s.isBlank());
    }

    /** No check: {@code expected} only says what the value means (a path, say). */
    static Expect anything(String expected) {
        return new Expect(expected, v -> true);
    }

    static Expect intIn(long min, long max) {
        return new Expect("an integer in [" + min + ", " + max + "]",
                v -> v instanceof Number n && n.longValue() >= min && n.longValue() <= max);
    }

    /** -1, Kafka's word for "the broker's default" or "for ever" in its topic settings, or a positive integer. */
    static Expect minusOneOrPositive(String expected) {
        return new Expect(expected, v -> v instanceof Number n && (n.longValue() == -1 || n.longValue() >= 1));
    }

    static Expect positiveNumber() {
        return new Expect("a finite number > 0", v -> v instanceof Double d && d > 0 && !d.isInfinite());
    }

    static Expect fraction() {
        return new Expect("a number in [0, 1), e.g. 0.02 for 2%", v -> v instanceof Double d && d >= 0 && d < 1);
    }

    static Expect oneOf(String... values) {
        String words = values.length == 2 ? values[0] + " or " + values[1] : "one of " + String.join(", ", values);
        return new Expect(words, v -> v instanceof String s && Arrays.asList(values).contains(s));
    }

    static Expect trueOrFalse() {
        return new Expect("true or false", v -> v instanceof Boolean);
    }

    static Expect bucket() {
        return new Expect("one of hour, day, week, month", v -> Bucket.parse((String) v) != null);
    }

    static Expect positiveDuration() {
        return new Expect("a positive ISO-8601 duration such as PT30S or P1D", v -> {
            Duration d = Duration.parse((String) v);
            return !d.isNegative() && !d.isZero();
        });
    }

    static Expect nonNegativeDuration() {
        return new Expect("an ISO-8601 duration >= 0 such as PT0S or P7D", v -> !Duration.parse((String) v)
                .isNegative());
    }

    /** An ISO duration or a number of buckets; the bucket's length turns the latter into time (AppConfig). */
    static Expect grace() {
        return new Expect("an ISO-8601 duration (PT1H, P1D) or a number of buckets (1 bucket, 0.5 buckets), >= 0",
                v -> BUCKETS.matcher((String) v).matches() || !Duration.parse((String) v).isNegative());
    }

    static Expect instant() {
        return new Expect("an ISO-8601 UTC instant such as 2000-01-01T00:00:00Z", v -> {
            try {
                Instant.parse((String) v);
                return true;
            } catch (DateTimeParseException e) {
                return false;
            }
        });
    }

    static Expect hostPorts() {
        return new Expect("a comma-separated list of host:port", v -> {
            String s = (String) v;
            if (s.isBlank()) {
                return false;
            }
            for (String hp : s.split(",")) {
                if (!HOST_PORT.matcher(hp.trim()).matches()) {
                    return false;
                }
            }
            return true;
        });
    }

    static Expect httpUrl() {
        return new Expect("an http:// or https:// URL with a host", v -> {
            URI u = URI.create((String) v);
            return u.getScheme() != null && (u.getScheme().equals("http") || u.getScheme().equals("https"))
                    && u.getHost() != null;
        });
    }

    static Expect host() {
        return new Expect("a host name or IP address such as 127.0.0.1", v -> HOST.matcher((String) v).matches());
    }

    /** Empty (another key decides, see the key's documentation) or a host. */
    static Expect hostOrEmpty() {
        return new Expect("empty or a host name or IP address such as 127.0.0.1",
                v -> ((String) v).isEmpty() || HOST.matcher((String) v).matches());
    }

    static Expect topicName() {
        return new Expect("a Kafka topic name (letters, digits, '.', '_', '-')",
                v -> TOPIC.matcher((String) v).matches());
    }

    static Expect modelName() {
        return new Expect("letters, digits, '.', '_' or '-' (no '@')", v -> MODEL_NAME.matcher((String) v).matches());
    }

    /** A secret: its refusal says what is wrong, never what the value is. */
    static Expect userInfoOrEmpty() {
        return new Expect("user:password with a non-empty user before the first ':'", v -> {
            if (v == null) {
                return true;
            }
            String s = ((Password) v).value();
            return s.isEmpty() || s.indexOf(':') >= 1;
        });
    }
}
