package io.demandcast.schemas.registry;

/**
 * The schema registry refused a request, did not know what was asked for, or could not be reached. The message
 * says which request, what the registry answered (its own message included) and where the registry is.
 */
public class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, so that callers can tell an unknown schema from a refusal or an outage. */
    public enum Reason {
        /** The subject, version or schema id does not exist (HTTP 404). */
        NOT_FOUND,
        /** The schema breaks the subject's compatibility level (HTTP 409). */
        INCOMPATIBLE,
        /** The registry refused the request as invalid, e.g. an unparseable schema (HTTP 422 or another 4xx). */
        REJECTED,
        /** The registry could not be reached or kept answering 5xx until the retry budget was spent. */
        UNAVAILABLE,
        /** The registry answered something this client cannot read. */
        BAD_RESPONSE
    }

    private final Reason reason;
    private final int httpStatus;
    private final int errorCode;

    SchemaRegistryException(Reason reason, int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public Reason reason() {
        return reason;
    }

    /** The HTTP status of the last answer, or -1 when no answer came. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code} (e.g. 40403 for an unknown schema), or -1 when it gave none. */
    public int errorCode() {
        return errorCode;
    }
}
