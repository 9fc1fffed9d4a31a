package io.leakwatch.config;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.loginpoll.LoginHistorySettings;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.response.ResponseSettings;
import io.leakwatch.rulepack.RulePack;
import java.nio.file.Path;
import java.util.List;

/**
 * One Salesforce org the process watches: one engine of its own, with its own state folder so
 * checkpoints and the alert ledger never mix with another org's.
 *
 * @param auth what kind of credentials and where they go, for summaries; never a secret
 * @param rules the org's rules folder, or the file-wide one, or null for the default pack
 * @param sinkStallMillis how long a failing sink may hold delivery before {@code /ready} says so
 * @param loginHistory the LoginHistory poll beside the streams (off unless configured)
 * @param maxAheadMillis how far past this host's clock an event may be dated before it is refused:
 *     a real org's events are stamped by Salesforce; 0 (no bound) for a drill org, which plays
 *     simulated days dated after the last drill's
 * @param key where it is written in the file ({@code org} or {@code orgs[N]}), for messages
 */
public record OrgConfig(
    String name,
    PubSubEndpoint endpoint,
    TokenSource tokens,
    String auth,
    List<String> topics,
    ReplayStart start,
    Path profile,
    boolean drill,
    Path rules,
    Path deadLetters,
    Durability durability,
    ResponseSettings response,
    long stallWaitMillis,
    long sinkStallMillis,
    LoginHistorySettings loginHistory,
    long maxAheadMillis,
    String key) {

  /** Engine settings for this org; loads the org profile. */
  public EngineSettings settings(RulePack pack, List<AlertSink> sinks) {
    return EngineSettings.builder()
        .endpoint(endpoint)
        .tokens(tokens)
        .topics(topics)
        .start(start)
        .profile(OrgProfileLoader.load(profile))
        .pack(pack)
        .sinks(sinks)
        .deadLetters(DeadLetters.toFile(deadLetters))
        .drill(drill)
        .idleAfterMillis(EngineConfig.IDLE_AFTER_MILLIS)
        .maxBacklog(EngineConfig.MAX_BACKLOG)
        .maxWaitMillis(stallWaitMillis)
        .durability(durability)
        .response(response)
        .sinkStallMillis(sinkStallMillis)
        .loginHistory(loginHistory)
        .maxAheadMillis(maxAheadMillis())
        .build();
  }

  @Override
  public String toString() {
    return "org " + name + " (" + endpoint.host() + ":" + endpoint.port() + ")";
  }
}
