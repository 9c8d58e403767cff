package live.edupulse.outbox.config;

/**
 * A configuration value is missing or out of range. Thrown while the application starts, so the
 * deployment fails with a message that names the key, the value and what is accepted.
 */
public class InvalidConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public InvalidConfigurationException(String key, String message) {
        super("Invalid configuration " + key + ": " + message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
