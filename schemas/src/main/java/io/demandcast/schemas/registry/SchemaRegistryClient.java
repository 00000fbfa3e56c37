package io.demandcast.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A small client of the Confluent Schema Registry REST API (also served by Apicurio Registry's ccompat API): it
 * registers and looks up Avro schemas by subject and fetches them by id, and caches both answers, which never
 * change for a given id or (subject, schema) while the subject lives; it lists subjects and deletes them.
 *
 * <p>When the registry cannot be reached or answers 5xx, a call retries with a doubling backoff until
 * {@link SerdeConfig#retryMaxWait()} is spent, then fails with {@link SchemaRegistryException.Reason#UNAVAILABLE}.
 * Other refusals fail at once. Instances are thread-safe; share one per registry.
 */
public final class SchemaRegistryClient {

    /** Compatibility levels of a subject, as the registry names them. */
    public enum Compatibility {
        NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE
    }

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private record SubjectSchema(String subject, Schema schema) {
    }

    private final SerdeConfig config;
    private final String baseUrl;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    public SchemaRegistryClient(SerdeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.baseUrl = config.registryUrl().toString();
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.tls().configured()) {
            builder.sslContext(TlsContexts.sslContext(config.tls()));
        }
        this.http = builder.build();
        this.authorization = config.basicAuthUserInfo().map(userInfo -> "Basic "
                + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    }

    /** The base URL of the registry's Confluent-compatible API. */
    public URI url() {
        return config.registryUrl();
    }

    /**
     * Registers {@code schema} under {@code subject} (a no-op returning the existing id when it is already there).
     *
     * @return the schema's id
     * @throws SchemaRegistryException with reason INCOMPATIBLE when the subject's compatibility level refuses it
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        String what = "registering schema " + schema.getFullName() + " under subject '" + subject + "'";
        JsonNode answer = call(what, "POST", "/subjects/" + encode(subject) + "/versions?normalize=true",
                schemaBody(schema));
        int id = intField(answer, "id", what);
        idsBySubjectSchema.putIfAbsent(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * Looks up the id of {@code schema} among the versions of {@code subject}, without registering anything.
     *
     * @throws SchemaRegistryException with reason NOT_FOUND when the subject or the schema under it is unknown
     */
    public int idOf(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        String what = "looking up schema " + schema.getFullName() + " under subject '" + subject + "'";
        JsonNode answer = call(what, "POST", "/subjects/" + encode(subject) + "?normalize=true", schemaBody(schema));
        int id = intField(answer, "id", what);
        idsBySubjectSchema.putIfAbsent(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * The schema with this id.
     *
     * @throws SchemaRegistryException with reason NOT_FOUND when the registry knows no such id
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String what = "fetching schema id " + id;
        JsonNode answer = call(what, "GET", "/schemas/ids/" + id, null);
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !type.asText().equals("AVRO")) {
            throw badResponse(what, "schema id " + id + " is a " + type.asText() + " schema, expected AVRO", null);
        }
        JsonNode references = answer.get("references");
        if (references != null && references.isArray() && references.size() > 0) {
            throw badResponse(what, "schema id " + id + " uses schema references, which this client does not resolve",
                    null);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw badResponse(what, "expected a 'schema' string field, got " + answer, null);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (SchemaParseException e) {
            throw badResponse(what, "schema id " + id + " is not a valid Avro schema: " + e.getMessage(), e);
        }
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous == null ? schema : previous;
    }

    /**
     * The subjects the registry holds; with {@code includeDeleted} also those soft-deleted and not yet permanently
     * deleted.
     */
    public List<String> subjects(boolean includeDeleted) {
        String what = "listing the subjects" + (includeDeleted ? " (soft-deleted included)" : "");
        JsonNode answer = exchange(what, "GET", "/subjects" + (includeDeleted ? "?deleted=true" : ""), null);
        if (!answer.isArray()) {
            throw badResponse(what, "expected a JSON array of subject names, got " + abbreviate(answer.toString()),
                    null);
        }
        List<String> names = new ArrayList<>();
        answer.forEach(n -> names.add(n.asText()));
        return names;
    }

    /**
     * Deletes {@code subject} and every version under it: soft (the registry keeps it, listed as deleted), or
     * permanently, which the Confluent API allows only once the subject is soft-deleted. The schema ids stay
     * readable wherever another subject uses the same schema.
     *
     * @return the versions deleted
     * @throws SchemaRegistryException with reason NOT_FOUND when there is no such subject (for a soft delete: none
     *                                 that is not already soft-deleted)
     */
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        String what = (permanent ? "permanently deleting" : "soft-deleting") + " subject '" + subject + "'";
        JsonNode answer = exchange(what, "DELETE", "/subjects/" + encode(requireSubject(subject))
                + (permanent ? "?permanent=true" : ""), null);
        idsBySubjectSchema.keySet().removeIf(k -> k.subject().equals(subject));
        List<Integer> versions = new ArrayList<>();
        if (answer.isArray()) {
            answer.forEach(n -> versions.add(n.asInt()));
        }
        return versions;
    }

    /** Sets the compatibility level of one subject. */
    public void setCompatibility(String subject, Compatibility level) {
        putConfig("setting compatibility " + level + " on subject '" + subject + "'",
                "/config/" + encode(requireSubject(subject)), level);
    }

    /** Sets the registry-wide default compatibility level. */
    public void setGlobalCompatibility(Compatibility level) {
        putConfig("setting the global compatibility to " + level, "/config", level);
    }

    /** The compatibility level that applies to {@code subject}: its own, or else the registry's default. */
    public Compatibility compatibility(String subject) {
        String what = "reading the compatibility of subject '" + subject + "'";
        JsonNode answer = call(what, "GET", "/config/" + encode(requireSubject(subject)) + "?defaultToGlobal=true",
                null);
        return compatibilityField(answer, what);
    }

    private void putConfig(String what, String path, Compatibility level) {
        ObjectNode body = json.createObjectNode().put("compatibility", Objects.requireNonNull(level, "level").name());
        JsonNode answer = call(what, "PUT", path, body);
        Compatibility now = compatibilityField(answer, what);
        if (now != level) {
            throw badResponse(what, "asked for " + level + ", the registry answered " + now, null);
        }
    }

    private Compatibility compatibilityField(JsonNode answer, String what) {
        // Confluent answers a PUT with "compatibility" and a GET with "compatibilityLevel"; Apicurio uses the latter.
        JsonNode level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
        if (level == null || !level.isTextual()) {
            throw badResponse(what, "expected a compatibility level, got " + answer, null);
        }
        try {
            return Compatibility.valueOf(level.asText());
        } catch (IllegalArgumentException e) {
            throw badResponse(what, "unknown compatibility level " + level.asText(), e);
        }
    }

    private ObjectNode schemaBody(Schema schema) {
        return json.createObjectNode().put("schema", schema.toString());
    }

    private JsonNode call(String what, String method, String path, JsonNode body) {
        JsonNode answer = exchange(what, method, path, body);
        if (!answer.isObject()) {
            throw badResponse(what, "expected a JSON object, got: " + abbreviate(answer.toString()), null);
        }
        return answer;
    }

    /** One request, retried as the class says; the answer is any JSON value (an object, or an array for lists). */
    private JsonNode exchange(String what, String method, String path, JsonNode body) {
        URI uri = URI.create(baseUrl + path);
        long deadline = System.nanoTime() + config.retryMaxWait().toNanos();
        Duration backoff = config.retryBackoff();
        int attempts = 0;
        String lastProblem;
        Throwable lastCause;
        while (true) {
            attempts++;
            long remaining = deadline - System.nanoTime();
            Duration timeout = config.requestTimeout();
            if (remaining > 0 && remaining < timeout.toNanos()) {
                timeout = Duration.ofNanos(remaining);
            }
            HttpRequest request = request(method, uri, body, timeout);
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return parse(what, response.body());
                }
                if (status < 500) {
                    throw refusal(what, status, response.body());
                }
                lastProblem = "HTTP " + status + " " + registryMessage(response.body());
                lastCause = null;
            } catch (SSLException e) {
                // A failed handshake is a matter of configuration, not of time: retrying cannot fix it.
                throw new SchemaRegistryException(SchemaRegistryException.Reason.UNAVAILABLE, -1, -1,
                        what + " failed: TLS with the schema registry at " + baseUrl + " failed (check "
                                + SerdeConfig.TRUSTSTORE_LOCATION + " and " + SerdeConfig.KEYSTORE_LOCATION + "): "
                                + e.getMessage(), e);
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                lastCause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(SchemaRegistryException.Reason.UNAVAILABLE, -1, -1,
                        what + " was interrupted while calling the schema registry at " + baseUrl, e);
            }
            long pause = Math.min(backoff.toMillis(), config.retryBackoffMax().toMillis());
            pause += ThreadLocalRandom.current().nextLong(pause / 5 + 1);
            if (System.nanoTime() + pause * 1_000_000 >= deadline) {
                throw new SchemaRegistryException(SchemaRegistryException.Reason.UNAVAILABLE, -1, -1,
                        what + " failed: the schema registry at " + baseUrl + " did not answer successfully in "
                                + attempts + " attempt(s) within " + config.retryMaxWait().toMillis() + " ms ("
                                + SerdeConfig.RETRY_MAX_WAIT_MS + "); last problem: " + lastProblem, lastCause);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(SchemaRegistryException.Reason.UNAVAILABLE, -1, -1,
                        what + " was interrupted while waiting to retry the schema registry at " + baseUrl, e);
            }
            backoff = backoff.multipliedBy(2);
        }
    }

    private HttpRequest request(String method, URI uri, JsonNode body, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        authorization.ifPresent(value -> builder.header("Authorization", value));
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private SchemaRegistryException refusal(String what, int status, String body) {
        int errorCode = registryErrorCode(body);
        String said = registryMessage(body);
        SchemaRegistryException.Reason reason;
        String explanation;
        if (status == 409) {
            reason = SchemaRegistryException.Reason.INCOMPATIBLE;
            explanation = "the schema is incompatible with the subject's earlier versions under its compatibility"
                    + " level";
        } else if (status == 404) {
            reason = SchemaRegistryException.Reason.NOT_FOUND;
            explanation = "not found";
        } else if (status == 401 || status == 403) {
            reason = SchemaRegistryException.Reason.REJECTED;
            explanation = "not authorised (check the credentials in " + SerdeConfig.REGISTRY_BASIC_AUTH_USER_INFO
                    + " or " + SerdeConfig.BASIC_AUTH_USER_INFO + ")";
        } else {
            reason = SchemaRegistryException.Reason.REJECTED;
            explanation = "refused";
        }
        return new SchemaRegistryException(reason, status, errorCode, what + " failed: " + explanation
                + "; the registry at " + baseUrl + " answered HTTP " + status
                + (errorCode >= 0 ? " (error code " + errorCode + ")" : "") + ": " + said, null);
    }

    private JsonNode parse(String what, String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw badResponse(what, "expected JSON, got: " + abbreviate(body), null);
            }
            return node;
        } catch (IOException e) {
            throw badResponse(what, "expected JSON, got: " + abbreviate(body), e);
        }
    }

    private int intField(JsonNode answer, String field, String what) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw badResponse(what, "expected an integer field '" + field + "', got " + abbreviate(answer.toString()),
                    null);
        }
        return value.asInt();
    }

    private SchemaRegistryException badResponse(String what, String problem, Throwable cause) {
        return new SchemaRegistryException(SchemaRegistryException.Reason.BAD_RESPONSE, 200, -1,
                what + " failed: unexpected answer from the schema registry at " + baseUrl + ": " + problem, cause);
    }

    private String registryMessage(String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.hasNonNull("message")) {
                return node.get("message").asText();
            }
        } catch (IOException e) {
            // Not JSON (a proxy's HTML page, say): the raw text is the best message there is.
            return abbreviate(body);
        }
        return abbreviate(body);
    }

    private int registryErrorCode(String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.has("error_code") && node.get("error_code").canConvertToInt()) {
                return node.get("error_code").asInt();
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "(no body)";
        }
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("expected a subject name, got " + (subject == null ? "null" : "''"));
        }
        return subject;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
