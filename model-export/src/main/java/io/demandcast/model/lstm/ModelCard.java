package io.demandcast.model.lstm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.demandcast.model.Bucket;
import io.demandcast.model.encode.Covariate;
import io.demandcast.model.encode.CovariateScaling;
import io.demandcast.model.encode.FeatureEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The provenance and contract of a SavedModel, written as {@code model-card.json} beside it: which version it is and
 * what it came from, what it expects (bucket, L, H, quantiles, the ordered feature lists, the covariates and their
 * scaling) and what it saw (training range, series count, the trainer's settings), plus holdout metrics when a
 * backtest has scored it.
 *
 * @param parent the version this one was fine-tuned from, or null for a model trained from scratch
 * @param trainingFrom the first bucket any training history started at
 * @param trainingTo the end (exclusive) of the last training bucket
 * @param trainer the trainer's settings, for provenance only
 * @param holdoutMetrics named scores on held-out buckets (e.g. {@code mase}, {@code mase_seasonal_naive}); empty
 *                       when the model has not been scored
 */
public record ModelCard(String version, String parent, Instant created, Bucket bucket, int lookback, int horizon,
                        double[] quantiles, List<String> pastFeatures, List<String> futureFeatures,
                        List<Covariate> covariates, Instant trainingFrom, Instant trainingTo, int seriesCount,
                        Map<String, Object> trainer, Map<String, Double> holdoutMetrics) {

    public static final String FILE_NAME = "model-card.json";
    /** Bumped when the card's layout changes incompatibly. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ModelCard {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(bucket, "bucket");
        quantiles = quantiles.clone();
        pastFeatures = List.copyOf(pastFeatures);
        futureFeatures = List.copyOf(futureFeatures);
        covariates = List.copyOf(covariates);
        trainer = trainer == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(trainer));
        holdoutMetrics = holdoutMetrics == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(holdoutMetrics));
    }

    @Override
    public double[] quantiles() {
        return quantiles.clone();
    }

    /** The encoder this card's model was trained with. */
    public FeatureEncoder encoder() {
        return new FeatureEncoder(bucket, lookback, horizon, covariates);
    }

    public ModelCard withHoldoutMetrics(Map<String, Double> metrics) {
        return new ModelCard(version, parent, created, bucket, lookback, horizon, quantiles, pastFeatures,
                futureFeatures, covariates, trainingFrom, trainingTo, seriesCount, trainer, metrics);
    }

    /** The card of a fine-tuned successor: a new version whose parent is this one, metrics cleared. */
    ModelCard successor(String newVersion, Instant now, Instant from, Instant to, int series) {
        Instant f = trainingFrom == null || from.isBefore(trainingFrom) ? from : trainingFrom;
        Instant t = trainingTo == null || to.isAfter(trainingTo) ? to : trainingTo;
        return new ModelCard(newVersion, version, now, bucket, lookback, horizon, quantiles, pastFeatures,
                futureFeatures, covariates, f, t, series, trainer, Map.of());
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", version);
        root.put("parent", parent);
        root.put("created", created.toString());
        root.put("bucket", bucket.label());
        root.put("lookback", lookback);
        root.put("horizon", horizon);
        ArrayNode q = root.putArray("quantiles");
        for (double level : quantiles) {
            q.add(level);
        }
        ArrayNode past = root.putArray("pastFeatures");
        pastFeatures.forEach(past::add);
        ArrayNode future = root.putArray("futureFeatures");
        futureFeatures.forEach(future::add);
        ArrayNode cov = root.putArray("covariates");
        for (Covariate c : covariates) {
            cov.addObject().put("name", c.name()).put("scaling", c.scaling().label());
        }
        ObjectNode range = root.putObject("trainingRange");
        range.put("from", trainingFrom == null ? null : trainingFrom.toString());
        range.put("to", trainingTo == null ? null : trainingTo.toString());
        root.put("seriesCount", seriesCount);
        root.set("trainer", JSON.valueToTree(trainer));
        root.set("holdoutMetrics", JSON.valueToTree(holdoutMetrics));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model card of " + version + " cannot be written as JSON", e);
        }
    }

    public void write(Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE_NAME), toJson());
    }

    /** Reads {@code dir/model-card.json}, with errors that name the file and the field. */
    public static ModelCard read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IOException("no model card: expected " + file + " beside the SavedModel", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage(), e);
        }
        try {
            int format = required(root, "format").asInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException("format is " + format + ", this code reads format " + FORMAT);
            }
            List<Covariate> covariates = new ArrayList<>();
            for (JsonNode c : required(root, "covariates")) {
                covariates.add(new Covariate(required(c, "name").asText(),
                        CovariateScaling.parse(required(c, "scaling").asText())));
            }
            JsonNode range = required(root, "trainingRange");
            Map<String, Object> trainer = JSON.convertValue(root.path("trainer"),
                    JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
            Map<String, Double> metrics = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.path("holdoutMetrics").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                metrics.put(e.getKey(), e.getValue().asDouble());
            }
            JsonNode parent = root.path("parent");
            return new ModelCard(required(root, "version").asText(),
                    parent.isMissingNode() || parent.isNull() ? null : parent.asText(),
                    Instant.parse(required(root, "created").asText()),
                    Bucket.parse(required(root, "bucket").asText()),
                    required(root, "lookback").asInt(), required(root, "horizon").asInt(),
                    doubles(required(root, "quantiles")), strings(required(root, "pastFeatures")),
                    strings(required(root, "futureFeatures")), covariates, instant(range.path("from")),
                    instant(range.path("to")), required(root, "seriesCount").asInt(), trainer, metrics);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return v;
    }

    private static Instant instant(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : Instant.parse(node.asText());
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelCard c && c.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "ModelCard[" + version + ", parent=" + parent + ", " + bucket.label() + ", L=" + lookback + ", H="
                + horizon + ", quantiles=" + Arrays.toString(quantiles) + "]";
    }
}
