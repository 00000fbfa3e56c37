package io.demandcast.app.config;

/** A configuration value that cannot be used; the message names the key, the value and what was expected. */
public final class InvalidConfigException extends IllegalArgumentException {

    private final String key;

    public InvalidConfigException(String key, String value, String expected) {
        super("configuration key '" + key + "' (env " + AppConfig.envName(key) + "): expected " + expected
                + ", got '" + value + "'");
        this.key = key;
    }

    public InvalidConfigException(String key, String message) {
        super("configuration key '" + key + "': " + message);
        this.key = key;
    }

    /** The same refusal, telling which file the value came from. */
    InvalidConfigException(InvalidConfigException cause, String where) {
        super(cause.getMessage() + " (" + where + ")", cause);
        this.key = cause.key;
    }

    public String key() {
        return key;
    }
}
