package io.demandcast.app.infra;

import io.demandcast.app.cli.CommandFailure;

/** Local infrastructure could not be started, inspected or stopped; the message says what and where. */
public final class InfraException extends CommandFailure {
    private static final long serialVersionUID = 1L;

    public InfraException(String message) {
        super(message);
    }

    public InfraException(String message, Throwable cause) {
        super(message, cause);
    }
}
