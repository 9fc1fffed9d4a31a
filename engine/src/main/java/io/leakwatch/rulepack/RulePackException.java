package io.leakwatch.rulepack;

/**
 * A rule pack that cannot be loaded or compiled; the message names the file and, where known, the
 * line.
 */
public final class RulePackException extends RuntimeException {
  public RulePackException(String message) {
    super(message);
  }

  public RulePackException(String message, Throwable cause) {
    super(message, cause);
  }

  public static RulePackException at(String origin, int line, String problem) {
    return new RulePackException(origin + (line > 0 ? ":" + line : "") + ": " + problem);
  }
}
