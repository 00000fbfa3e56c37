package io.demandcast.app.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape in the Prometheus text format, read back for assertions: each family's declared type, and each sample by
 * its name and labels exactly as written ({@code demandcast_dead_letters_total{reason="late"}}). Labels are matched
 * by a substring of the label set, since the Kafka Streams binder adds client and version labels a test cannot know.
 */
public final class PrometheusScrape {

    private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (\\S+)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*})? (\\S+)");

    private final Map<String, String> types = new LinkedHashMap<>();
    /** Sample name (labels included) to value. */
    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final String text;

    private PrometheusScrape(String text) {
        this.text = text;
    }

    /** Reads {@code text}; a line that is neither a comment nor a sample fails with the line. */
    public static PrometheusScrape parse(String text) {
        PrometheusScrape s = new PrometheusScrape(text);
        for (String line : text.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                String before = s.types.put(type.group(1), type.group(2));
                if (before != null) {
                    throw new IllegalArgumentException("family " + type.group(1) + " declared twice");
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            s.samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), number(m.group(3)));
        }
        return s;
    }

    private static double number(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    /** The family's declared type ({@code counter}, {@code gauge}, {@code histogram}...), or null. */
    public String type(String family) {
        return types.get(family);
    }

    public Map<String, String> types() {
        return types;
    }

    /** The value of the sample written exactly so ({@code name} or {@code name{label="v"}}), if any. */
    public OptionalDouble value(String sample) {
        Double v = samples.get(sample);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Samples of metric {@code name} whose label set contains every one of {@code labels} ({@code k="v"}). */
    public List<Double> values(String name, String... labels) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .filter(e -> List.of(labels).stream().allMatch(l -> e.getKey().contains(l)))
                .map(Map.Entry::getValue)
                .toList();
    }

    public Map<String, Double> samples() {
        return samples;
    }

    @Override
    public String toString() {
        return text;
    }
}
