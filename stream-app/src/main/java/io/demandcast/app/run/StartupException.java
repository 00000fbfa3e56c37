package io.demandcast.app.run;

import io.demandcast.app.cli.CommandFailure;

/**
 * The app cannot start: a server it needs does not answer, a topic cannot be made, a model cannot be loaded. The
 * command line prints the message alone and exits non-zero.
 */
public final class StartupException extends CommandFailure {
    private static final long serialVersionUID = 1L;

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
