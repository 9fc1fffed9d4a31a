package io.leakwatch.config;

import io.leakwatch.auth.TokenSource;
import io.leakwatch.binding.AuthSettings;
import io.leakwatch.binding.ConfigSource;
import io.leakwatch.binding.EndpointSettings;
import io.leakwatch.binding.Range;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.loginpoll.LoginHistorySettings;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.response.ResponseSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One org's mapping, as written; {@link #resolve} checks it and makes the {@link OrgConfig}. */
record OrgSection(
    String name,
    EndpointSettings endpoint,
    AuthSettings auth,
    List<String> topics,
    String replay,
    String replayFallback,
    @Range(min = 1, max = 86_400) Long staleAfterSeconds,
    @Range(min = 0, max = 72 * 60) Long resumeHorizonMinutes,
    Boolean journalProcessed,
    String profile,
    String rules,
    Boolean drill,
    String deadLetters,
    ResponseSettings.Section response,
    @Range(min = 1, max = 300) Long stallWaitSeconds,
    @Range(min = 1, max = 3_600) Long reconnectCeilingSeconds,
    @Range(min = 1, max = 86_400) Long sinkStallSeconds,
    @Range(min = 1, max = 10_080) Long maxEventAheadMinutes,
    LoginHistorySettings.Section loginHistory) {

  /**
   * @param at the mapping's key, {@code orgs[N]} or {@code org}
   * @param name the org's name, already checked
   * @param globalRules the file-wide rules folder, or null
   * @param defaultDeadLetters where its dead letters go unless it says
   * @param state its state folder
   * @param store where its checkpoint, ledger and learned state live when it is PostgreSQL
   */
  OrgConfig resolve(
      ConfigSource file,
      String at,
      String name,
      Path globalRules,
      Path defaultDeadLetters,
      Path state,
      io.leakwatch.store.StoreSettings store) {
    PubSubEndpoint pubsub =
        file.required(endpoint, at + ".endpoint").resolve(file, at + ".endpoint");
    AuthSettings authSettings = file.required(auth, at + ".auth");
    TokenSource tokens = authSettings.tokens(file, at + ".auth");
    if (file.required(topics, at + ".topics").isEmpty()) {
      throw file.problem(
          at + ".topics", "must be a non-empty list of channels such as /event/ApiEventStream");
    }
    List<String> channels = new ArrayList<>();
    for (int i = 0; i < topics.size(); i++) {
      String topic = topics.get(i);
      if (topic == null || !topic.startsWith("/")) {
        throw file.problem(
            at + ".topics[" + i + "]", "must be a channel such as /event/ApiEventStream");
      }
      if (channels.contains(topic)) {
        throw file.problem(at + ".topics[" + i + "]", topic + " is listed twice");
      }
      channels.add(topic);
    }
    ReplayStart start = preset(file, replay, at + ".replay", ReplayStart.latest());
    ReplayStart fallback =
        preset(file, replayFallback, at + ".replayFallback", ReplayStart.earliest());
    long stale =
        staleAfterSeconds != null ? staleAfterSeconds * 1000 : Durability.DEFAULT_STALE_MILLIS;
    long horizon =
        resumeHorizonMinutes != null
            ? resumeHorizonMinutes * 60_000
            : Durability.DEFAULT_HORIZON_MILLIS;
    // Longer: events stay in order on a CPU-starved host, at the cost of latency when a stream
    // stalls. A drill org waits longer by default: its results are audit evidence and must not
    // depend on how busy the host is (a stream reopened from the start after the simulator's
    // restart may take seconds to answer), and a few seconds' latency costs a drill nothing.
    long stallWait =
        stallWaitSeconds != null
            ? stallWaitSeconds * 1000
            : ConfigSource.flag(drill, false)
                ? EngineConfig.DRILL_MERGE_WAIT_MILLIS
                : EngineConfig.MAX_MERGE_WAIT_MILLIS;
    // May not exist yet: `profile discover` writes it (run and config check say so when it is
    // missing).
    Path profileFile = file.path(profile, at + ".profile");
    Path orgRules = rules != null ? file.path(rules, at + ".rules") : globalRules;
    Path orgDeadLetters =
        deadLetters != null ? file.path(deadLetters, at + ".deadLetters") : defaultDeadLetters;
    ResponseSettings responseSettings =
        response == null ? ResponseSettings.off() : response.resolve(file, at + ".response");
    LoginHistorySettings poll =
        loginHistory == null
            ? LoginHistorySettings.off()
            : loginHistory.resolve(file, at + ".loginHistory");
    return new OrgConfig(
        name,
        pubsub,
        tokens,
        authSettings.describe(),
        List.copyOf(channels),
        start,
        profileFile,
        ConfigSource.flag(drill, false),
        orgRules,
        orgDeadLetters,
        new Durability(
                state,
                fallback,
                horizon,
                stale,
                ConfigSource.flag(journalProcessed, false),
                reconnectCeilingSeconds != null
                    ? reconnectCeilingSeconds * 1000
                    : Durability.DEFAULT_RECONNECT_CEILING_MILLIS)
            .withStore(store, name),
        responseSettings,
        stallWait,
        sinkStallSeconds != null
            ? sinkStallSeconds * 1000
            : EngineSettings.DEFAULT_SINK_STALL_MILLIS,
        poll,
        // A drill org plays simulated days dated after the last drill's: never bounded.
        ConfigSource.flag(drill, false)
            ? 0
            : maxEventAheadMinutes != null
                ? maxEventAheadMinutes * 60_000
                : EngineSettings.MAX_AHEAD_OF_CLOCK_MILLIS,
        at);
  }

  private static ReplayStart preset(
      ConfigSource file, String value, String key, ReplayStart otherwise) {
    if (value == null) {
      return otherwise;
    }
    return switch (file.required(value, key)) {
      case "latest" -> ReplayStart.latest();
      case "earliest" -> ReplayStart.earliest();
      default -> throw file.problem(key, "must be latest or earliest, was '" + value + "'");
    };
  }
}
