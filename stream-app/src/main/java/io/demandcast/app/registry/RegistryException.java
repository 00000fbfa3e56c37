package io.demandcast.app.registry;

/** The models topic cannot be read or written, or holds no such release; the message says which and where. */
public final class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
