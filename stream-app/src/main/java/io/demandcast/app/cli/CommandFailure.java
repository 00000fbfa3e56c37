package io.demandcast.app.cli;

/**
 * An expected failure of a command (a port in use, a missing file, a server that did not start): the root command
 * prints its message, without a stack trace, and exits with {@link ForecasterCli#EXIT_FAILURE}.
 */
public class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandFailure(String message) {
        super(message);
    }

    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
