package io.leakwatch.engine;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePack;
import java.util.List;

/**
 * Everything one engine run needs, already loaded and validated.
 *
 * @param maxBacklog events delivered by a subscription and not yet processed, at most
 * @param maxWaitMillis how long an event waits for a silent topic before event-time merging lets it through
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
    Durability durability) {}
