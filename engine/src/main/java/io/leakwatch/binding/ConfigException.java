package io.leakwatch.binding;

/** A configuration that cannot be used: names the file, the key and the problem. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String source, String key, String problem) {
    super(source + ": " + (key == null ? "" : key + ": ") + problem);
  }
}
