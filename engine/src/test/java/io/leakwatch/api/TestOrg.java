package io.leakwatch.api;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.engine.PipelineStats;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePack;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An org for API tests: a real detection pipeline on a real rule pack; only the subscriptions are
 * played by the test, which says which topics are live.
 */
final class TestOrg implements MonitoredOrg, AutoCloseable {
  private final String name;
  private final Path rulesFolder;
  private final DetectionPipeline pipeline;
  private final Map<String, Boolean> live = new ConcurrentHashMap<>();
  private final Map<String, String> why = new ConcurrentHashMap<>();
  private volatile long lastEventTime;

  /**
   * @param compiled the pack in {@code rulesFolder}, compiled once for all tests (seconds each
   *     time)
   */
  TestOrg(String name, Path rulesFolder, CompiledPack compiled) {
    this.name = name;
    this.rulesFolder = rulesFolder;
    this.pipeline =
        new DetectionPipeline(
            compiled,
            OrgProfileLoader.load(rulesFolder.resolve("test-profile.yaml")),
            DetectionPipeline.Options.defaults());
    live.put("/event/ApiEventStream", true);
    live.put("/event/LoginEventStream", true);
  }

  synchronized List<Alert> process(String topic, Map<String, ?> fields, long eventTime) {
    lastEventTime = Math.max(lastEventTime, eventTime);
    return pipeline.process(topic, fields, System.currentTimeMillis());
  }

  void live(String topic, boolean isLive) {
    live.put(topic, isLive);
    why.remove(topic);
  }

  /** The source is down because it cannot see its events, for {@code reason}. */
  void blind(String topic, String reason) {
    why.put(topic, reason);
    live.put(topic, false);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<TopicStatus> topics() {
    return live.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            e ->
                new TopicStatus(e.getKey(), e.getValue(), 0, lastEventTime, 0, why.get(e.getKey())))
        .toList();
  }

  @Override
  public PipelineStats stats() {
    return pipeline.stats();
  }

  @Override
  public synchronized RulePack activePack() {
    return pipeline.pack();
  }

  @Override
  public Path rulesFolder() {
    return rulesFolder;
  }

  @Override
  public synchronized void reload(RulePack pack) {
    pipeline.reload(CompiledPack.compile(pack));
  }

  @Override
  public io.leakwatch.response.Responder responder() {
    return responder;
  }

  private volatile io.leakwatch.response.Responder responder;

  void responder(io.leakwatch.response.Responder responder) {
    this.responder = responder;
  }

  @Override
  public long lastCheckpointSave() {
    return 0;
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
