package io.demandcast.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The Confluent wire format and the registry's REST API done by hand, with Avro's generic API and a bare HTTP
 * client, independently of the code under test: what another Confluent-compatible client would do.
 */
final class WireBytes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private WireBytes() {
    }

    /** Magic byte 0, the id big-endian, then the record in Avro binary with {@code schema}. */
    static byte[] frame(int id, Schema schema, GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema, GenericData.get()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The id in a framed value's header. */
    static int idOf(byte[] framed) {
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    /** Decodes a framed value with Avro's generic reader and the writer schema fetched by plain REST. */
    static GenericRecord readGeneric(String registryUrl, byte[] framed) {
        Schema writer = new Schema.Parser().parse(get(registryUrl + "/schemas/ids/" + idOf(framed)).get("schema")
                .asText());
        try {
            return new GenericDatumReader<GenericRecord>(writer)
                    .read(null, DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Registers a schema by plain REST and returns its id. */
    static int register(String registryUrl, String subject, Schema schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        return send("POST", registryUrl + "/subjects/" + subject + "/versions", body).get("id").asInt();
    }

    /** Sets a subject's compatibility level by plain REST ({@code PUT /config/<subject>}). */
    static void setCompatibility(String registryUrl, String subject, String level) {
        send("PUT", registryUrl + "/config/" + subject, JSON.createObjectNode().put("compatibility", level));
    }

    /** A copy of {@code schema} with its JSON edited, e.g. a field added or removed. */
    static Schema edit(Schema schema, Consumer<ArrayNode> editFields) {
        try {
            ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
            editFields.accept((ArrayNode) json.get("fields"));
            return new Schema.Parser().parse(json.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode optionalStringField(String name) {
        ObjectNode field = JSON.createObjectNode().put("name", name);
        field.putArray("type").add("null").add("string");
        field.putNull("default");
        return field;
    }

    static ObjectNode requiredStringField(String name) {
        return JSON.createObjectNode().put("name", name).put("type", "string");
    }

    static void removeField(ArrayNode fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals(name)) {
                fields.remove(i);
                return;
            }
        }
        throw new IllegalArgumentException("no field " + name + " in " + fields);
    }

    private static JsonNode get(String url) {
        return exchange(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    private static JsonNode send(String method, String url, JsonNode body) {
        return exchange(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
    }

    private static JsonNode exchange(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " answered HTTP "
                        + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
