package lab.grpclb.config;

/** A flag or environment variable with a bad value: the message names it and the expected form. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
