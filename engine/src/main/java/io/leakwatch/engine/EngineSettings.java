package io.leakwatch.engine;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.loginpoll.LoginHistorySettings;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.response.ResponseSettings;
import io.leakwatch.rulepack.RulePack;
import java.util.List;

/**
 * Everything one engine run needs, already loaded and validated.
 *
 * @param maxBacklog events delivered by a subscription and not yet processed, at most
 * @param maxWaitMillis how long an event waits for a silent topic before event-time merging lets it
 *     through
 * @param response what to do about response actions decision rules request; off unless configured
 * @param sinkStallMillis how long alert delivery may wait on a failing sink before the engine
 *     reports itself not ready
 * @param loginHistory the LoginHistory poll beside the streams; off unless configured
 * @param maxAheadMillis how far past this host's clock an event's EventDate may lie before the
 *     event is refused (dead-lettered) instead of merged; 0 for no bound (simulated days, which may
 *     lie in the future)
 */
public record EngineSettings(
    PubSubEndpoint endpoint,
    TokenSource tokens,
    List<String> topics,
    ReplayStart start,
    OrgProfile profile,
    RulePack pack,
    List<AlertSink> sinks,
    DeadLetters deadLetters,
    boolean drill,
    long idleAfterMillis,
    int maxBacklog,
    long maxWaitMillis,
    Durability durability,
    ResponseSettings response,
    long sinkStallMillis,
    LoginHistorySettings loginHistory,
    long maxAheadMillis) {
  /** A sink may fail this long (retries, a brief outage) before readiness says so. */
  public static final long DEFAULT_SINK_STALL_MILLIS = 60_000;

  /**
   * How far ahead of this host's clock a real org's event may be dated unless its configuration
   * says otherwise ({@code maxEventAheadMinutes}). Salesforce stamps EventDate itself, so an event
   * much further ahead is a broken payload or a wrong host clock; it would sort last in the merge
   * and hold its stream back for ever, or move every window's clock into the future. Threat
   * Detection events are dated when detected, never ahead.
   */
  public static final long MAX_AHEAD_OF_CLOCK_MILLIS = 60 * 60_000L;

  public EngineSettings {
    if (maxAheadMillis < 0) {
      throw new IllegalArgumentException(
          "maxAheadMillis must not be negative, was " + maxAheadMillis);
    }
    response = response == null ? ResponseSettings.off() : response;
    loginHistory = loginHistory == null ? LoginHistorySettings.off() : loginHistory;
    if (sinkStallMillis <= 0) {
      throw new IllegalArgumentException(
          "sinkStallMillis must be positive, was " + sinkStallMillis);
    }
  }

  /** Settings without a bound on how far ahead of this host's clock events may be dated. */
  public EngineSettings(
      PubSubEndpoint endpoint,
      TokenSource tokens,
      List<String> topics,
      ReplayStart start,
      OrgProfile profile,
      RulePack pack,
      List<AlertSink> sinks,
      DeadLetters deadLetters,
      boolean drill,
      long idleAfterMillis,
      int maxBacklog,
      long maxWaitMillis,
      Durability durability,
      ResponseSettings response,
      long sinkStallMillis,
      LoginHistorySettings loginHistory) {
    this(
        endpoint,
        tokens,
        topics,
        start,
        profile,
        pack,
        sinks,
        deadLetters,
        drill,
        idleAfterMillis,
        maxBacklog,
        maxWaitMillis,
        durability,
        response,
        sinkStallMillis,
        loginHistory,
        0);
  }

  /** Settings without the LoginHistory poll. */
  public EngineSettings(
      PubSubEndpoint endpoint,
      TokenSource tokens,
      List<String> topics,
      ReplayStart start,
      OrgProfile profile,
      RulePack pack,
      List<AlertSink> sinks,
      DeadLetters deadLetters,
      boolean drill,
      long idleAfterMillis,
      int maxBacklog,
      long maxWaitMillis,
      Durability durability,
      ResponseSettings response,
      long sinkStallMillis) {
    this(
        endpoint,
        tokens,
        topics,
        start,
        profile,
        pack,
        sinks,
        deadLetters,
        drill,
        idleAfterMillis,
        maxBacklog,
        maxWaitMillis,
        durability,
        response,
        sinkStallMillis,
        LoginHistorySettings.off());
  }

  /** The same settings with the LoginHistory poll as given. */
  public EngineSettings withLoginHistory(LoginHistorySettings poll) {
    return with(durability, poll);
  }

  /**
   * The same settings, writing the org's checkpoint, ledger and learned state only while {@code
   * fence} (the org's lease) holds: the one way a node running the org under a lease passes it. See
   * {@link Durability} for what a refused write does.
   */
  public EngineSettings withFence(io.leakwatch.store.Fence fence) {
    return with(durability.withFence(fence), loginHistory);
  }

  /**
   * The same settings, refusing events dated more than {@code maxAheadMillis} past this host's
   * clock (0: no bound), as {@link io.leakwatch.config.OrgConfig} sets for a real org.
   */
  public EngineSettings withEventTimeBound(long maxAheadMillis) {
    return with(durability, loginHistory, maxAheadMillis);
  }

  private EngineSettings with(Durability durability, LoginHistorySettings loginHistory) {
    return with(durability, loginHistory, maxAheadMillis);
  }

  /** The same settings with these three as given: the one copy of every other field. */
  private EngineSettings with(
      Durability durability, LoginHistorySettings loginHistory, long maxAheadMillis) {
    return new EngineSettings(
        endpoint,
        tokens,
        topics,
        start,
        profile,
        pack,
        sinks,
        deadLetters,
        drill,
        idleAfterMillis,
        maxBacklog,
        maxWaitMillis,
        durability,
        response,
        sinkStallMillis,
        loginHistory,
        maxAheadMillis);
  }

  /** Settings with the default sink stall allowance. */
  public EngineSettings(
      PubSubEndpoint endpoint,
      TokenSource tokens,
      List<String> topics,
      ReplayStart start,
      OrgProfile profile,
      RulePack pack,
      List<AlertSink> sinks,
      DeadLetters deadLetters,
      boolean drill,
      long idleAfterMillis,
      int maxBacklog,
      long maxWaitMillis,
      Durability durability,
      ResponseSettings response) {
    this(
        endpoint,
        tokens,
        topics,
        start,
        profile,
        pack,
        sinks,
        deadLetters,
        drill,
        idleAfterMillis,
        maxBacklog,
        maxWaitMillis,
        durability,
        response,
        DEFAULT_SINK_STALL_MILLIS);
  }

  /** Settings without response actions (off). */
  public EngineSettings(
      PubSubEndpoint endpoint,
      TokenSource tokens,
      List<String> topics,
      ReplayStart start,
      OrgProfile profile,
      RulePack pack,
      List<AlertSink> sinks,
      DeadLetters deadLetters,
      boolean drill,
      long idleAfterMillis,
      int maxBacklog,
      long maxWaitMillis,
      Durability durability) {
    this(
        endpoint,
        tokens,
        topics,
        start,
        profile,
        pack,
        sinks,
        deadLetters,
        drill,
        idleAfterMillis,
        maxBacklog,
        maxWaitMillis,
        durability,
        ResponseSettings.off());
  }
}
