package io.leakwatch.engine;

import io.leakwatch.pubsub.ReplayStart;
import java.nio.file.Path;

/**
 * How the engine survives restarts and broken streams.
 *
 * @param stateDir where checkpoints, learned state, the alert ledger and the processed journal
 *     live; null keeps nothing (demos, tests)
 * @param fallback where to start when the stored position is rejected (EARLIEST re-reads what is
 *     retained, LATEST skips to now); the gap is recorded as an alert either way
 * @param resumeHorizonMillis how far behind the last processed event a restart resumes, so windows
 *     are rebuilt; at least the longest window of the rule pack
 * @param staleAfterMillis a stream with no response (events or keepalive) for this long is presumed
 *     dead and reopened
 * @param journalProcessed whether to record every processed event's ids (forensics, tests)
 * @param reconnectCeilingMillis the longest wait between two attempts to reopen a stream; a stream
 *     is back at most this long (plus the connection time) after its server is
 */
public record Durability(
    Path stateDir,
    ReplayStart fallback,
    long resumeHorizonMillis,
    long staleAfterMillis,
    boolean journalProcessed,
    long reconnectCeilingMillis) {
  public static final long DEFAULT_HORIZON_MILLIS = 60 * 60_000L;

  /** Salesforce sends keepalives at most 270 s apart; a little more than that means dead. */
  public static final long DEFAULT_STALE_MILLIS = 300_000L;

  /** Reconnect attempts back off exponentially from half a second up to this. */
  public static final long DEFAULT_RECONNECT_CEILING_MILLIS = 30_000L;

  public Durability {
    if (reconnectCeilingMillis < 500) {
      throw new IllegalArgumentException(
          "reconnectCeilingMillis must be at least 500, was " + reconnectCeilingMillis);
    }
  }

  /** With the default reconnect ceiling. */
  public Durability(
      Path stateDir,
      ReplayStart fallback,
      long resumeHorizonMillis,
      long staleAfterMillis,
      boolean journalProcessed) {
    this(
        stateDir,
        fallback,
        resumeHorizonMillis,
        staleAfterMillis,
        journalProcessed,
        DEFAULT_RECONNECT_CEILING_MILLIS);
  }

  public static Durability none() {
    return new Durability(
        null, ReplayStart.earliest(), DEFAULT_HORIZON_MILLIS, DEFAULT_STALE_MILLIS, false);
  }

  public boolean durable() {
    return stateDir != null;
  }

  public Path checkpointFile() {
    return stateDir.resolve("checkpoint.json");
  }

  public Path ledgerFile() {
    return stateDir.resolve("delivered-alerts.txt");
  }

  /** The durable tables of the rules and the positions they are consistent with. */
  public Path learnedStateFile() {
    return stateDir.resolve("learned-state.json");
  }

  public Path journalFile() {
    return stateDir.resolve("processed-events.log");
  }
}
