package io.leakwatch.checkpoint;

/**
 * A login detection took, as the LoginHistory poll's de-duplication keeps it: when it happened and
 * which source delivered it first.
 *
 * @param time the login's time (epoch millis)
 * @param source {@link #POLL} or {@link #STREAM}
 */
public record SeenLogin(long time, String source) {
  public static final String POLL = "poll";
  public static final String STREAM = "stream";
}
