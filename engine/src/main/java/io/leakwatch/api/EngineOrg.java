package io.leakwatch.api;

import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.PipelineStats;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.rulepack.RulePack;
import java.nio.file.Path;
import java.util.List;

/** A running {@link LeakwatchEngine} as the API sees it. */
public record EngineOrg(String name, LeakwatchEngine engine, Path rulesFolder)
    implements MonitoredOrg {
  @Override
  public List<TopicStatus> topics() {
    List<TopicStatus> topics =
        new java.util.ArrayList<>(engine.subscriptions().stream().map(EngineOrg::status).toList());
    io.leakwatch.loginpoll.LoginHistoryPoll poll = engine.loginHistoryPoll();
    if (poll != null) {
      // A source beside the streams: down while its rounds fail, its failed rounds as reconnects;
      // while the running user lacks the permission to read it, /ready says which.
      topics.add(
          new TopicStatus(
              io.leakwatch.cep.TopicTypes.LOGIN_HISTORY,
              poll.live(),
              poll.failedRounds(),
              poll.lastEventTime(),
              poll.delivered(),
              poll.blind()));
    }
    return topics;
  }

  private static TopicStatus status(SubscriptionVerticle s) {
    return new TopicStatus(s.topic(), s.live(), s.reconnects(), s.lastEventTime(), s.processed());
  }

  @Override
  public PipelineStats stats() {
    return engine.stats();
  }

  @Override
  public RulePack activePack() {
    return engine.activePack();
  }

  @Override
  public void reload(RulePack pack) throws Exception {
    engine.reload(pack);
  }

  @Override
  public List<String> commitProblems() {
    return engine.commitProblems();
  }

  @Override
  public List<io.leakwatch.alert.SpooledAlertSink.Stats> spooledSinks() {
    return engine.spooledSinkStats();
  }

  @Override
  public long lastCheckpointSave() {
    return engine.lastCheckpointSave();
  }

  @Override
  public io.leakwatch.response.Responder responder() {
    return engine.responder();
  }

  @Override
  public boolean drill() {
    return engine.drill();
  }
}
