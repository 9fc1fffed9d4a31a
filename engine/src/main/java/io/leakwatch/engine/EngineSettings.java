package io.leakwatch.engine;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.TokenSource;
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
    ResponseSettings response) {

  public EngineSettings {
    response = response == null ? ResponseSettings.off() : response;
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
