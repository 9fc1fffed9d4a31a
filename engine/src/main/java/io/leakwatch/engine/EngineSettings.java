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

  /**
   * How many times longer than a silent topic a topic whose stream is down (reconnecting) holds the
   * others back: when it is back it delivers a backlog from the past, which must not land behind
   * events already released.
   */
  public static final int RECONNECTING_HOLD_FACTOR = 30;

  /** How long a reconnecting topic holds the others back, given the wait for a silent one. */
  public static long reconnectingHoldMillis(long maxWaitMillis) {
    return Math.max(maxWaitMillis, RECONNECTING_HOLD_FACTOR * maxWaitMillis);
  }

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

  /** The same settings with the LoginHistory poll as given. */
  public EngineSettings withLoginHistory(LoginHistorySettings poll) {
    return toBuilder().loginHistory(poll).build();
  }

  /**
   * The same settings, writing the org's checkpoint, ledger and learned state only while {@code
   * fence} (the org's lease) holds: the one way a node running the org under a lease passes it. See
   * {@link Durability} for what a refused write does.
   */
  public EngineSettings withFence(io.leakwatch.store.Fence fence) {
    return toBuilder().durability(durability.withFence(fence)).build();
  }

  /**
   * The same settings, refusing events dated more than {@code maxAheadMillis} past this host's
   * clock (0: no bound), as {@link io.leakwatch.config.OrgConfig} sets for a real org.
   */
  public EngineSettings withEventTimeBound(long maxAheadMillis) {
    return toBuilder().maxAheadMillis(maxAheadMillis).build();
  }

  /**
   * Settings to fill in by name. The endpoint, tokens, topics, start, profile and pack have no
   * default; the rest default to: no sinks, no dead letters, not a drill, event time never flowing
   * by itself, a backlog of 1,000, a 2 s wait for a silent topic, nothing durable, no response
   * actions, the default sink stall allowance, no LoginHistory poll and no bound on event time.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every setting of this one, to make a changed copy. */
  public Builder toBuilder() {
    return new Builder()
        .endpoint(endpoint)
        .tokens(tokens)
        .topics(topics)
        .start(start)
        .profile(profile)
        .pack(pack)
        .sinks(sinks)
        .deadLetters(deadLetters)
        .drill(drill)
        .idleAfterMillis(idleAfterMillis)
        .maxBacklog(maxBacklog)
        .maxWaitMillis(maxWaitMillis)
        .durability(durability)
        .response(response)
        .sinkStallMillis(sinkStallMillis)
        .loginHistory(loginHistory)
        .maxAheadMillis(maxAheadMillis);
  }

  /** Fills in {@link EngineSettings} by name; see {@link #builder()} for the defaults. */
  public static final class Builder {
    private PubSubEndpoint endpoint;
    private TokenSource tokens;
    private List<String> topics;
    private ReplayStart start;
    private OrgProfile profile;
    private RulePack pack;
    private List<AlertSink> sinks = List.of();
    private DeadLetters deadLetters = DeadLetters.none();
    private boolean drill;
    private long idleAfterMillis;
    private int maxBacklog = 1_000;
    private long maxWaitMillis = 2_000;
    private Durability durability = Durability.none();
    private ResponseSettings response = ResponseSettings.off();
    private long sinkStallMillis = DEFAULT_SINK_STALL_MILLIS;
    private LoginHistorySettings loginHistory = LoginHistorySettings.off();
    private long maxAheadMillis;

    private Builder() {}

    public Builder endpoint(PubSubEndpoint endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    public Builder tokens(TokenSource tokens) {
      this.tokens = tokens;
      return this;
    }

    public Builder topics(List<String> topics) {
      this.topics = topics;
      return this;
    }

    public Builder start(ReplayStart start) {
      this.start = start;
      return this;
    }

    public Builder profile(OrgProfile profile) {
      this.profile = profile;
      return this;
    }

    public Builder pack(RulePack pack) {
      this.pack = pack;
      return this;
    }

    public Builder sinks(List<AlertSink> sinks) {
      this.sinks = sinks;
      return this;
    }

    public Builder deadLetters(DeadLetters deadLetters) {
      this.deadLetters = deadLetters;
      return this;
    }

    public Builder drill(boolean drill) {
      this.drill = drill;
      return this;
    }

    public Builder idleAfterMillis(long idleAfterMillis) {
      this.idleAfterMillis = idleAfterMillis;
      return this;
    }

    public Builder maxBacklog(int maxBacklog) {
      this.maxBacklog = maxBacklog;
      return this;
    }

    public Builder maxWaitMillis(long maxWaitMillis) {
      this.maxWaitMillis = maxWaitMillis;
      return this;
    }

    public Builder durability(Durability durability) {
      this.durability = durability;
      return this;
    }

    public Builder response(ResponseSettings response) {
      this.response = response;
      return this;
    }

    public Builder sinkStallMillis(long sinkStallMillis) {
      this.sinkStallMillis = sinkStallMillis;
      return this;
    }

    public Builder loginHistory(LoginHistorySettings loginHistory) {
      this.loginHistory = loginHistory;
      return this;
    }

    public Builder maxAheadMillis(long maxAheadMillis) {
      this.maxAheadMillis = maxAheadMillis;
      return this;
    }

    public EngineSettings build() {
      require(endpoint, "endpoint");
      require(tokens, "tokens");
      require(topics, "topics");
      require(start, "start");
      require(profile, "profile");
      require(pack, "pack");
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

    private static void require(Object value, String name) {
      if (value == null) {
        throw new IllegalArgumentException("engine settings need " + name);
      }
    }
  }
}
