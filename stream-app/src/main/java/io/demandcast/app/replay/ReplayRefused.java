package io.demandcast.app.replay;

/**
 * A replay refused before it created anything, with the exit status the command returns: 2 for a request that
 * cannot be right (an unknown model version, dates the wrong way round), 1 for one the topics cannot serve (no
 * orders in the range, a range older than the topic's retention, no topic).
 */
public final class ReplayRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ReplayRefused(int status, String message) {
        super(message);
        this.status = status;
    }

    ReplayRefused(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The exit status: 2 for a request that cannot be right, 1 for one the topics cannot serve. */
    public int status() {
        return status;
    }
}
