package io.cdrpipeline.config;

/** A configuration mistake; its message is one line that names the key and the value. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
