package io.leakwatch.api;

import io.leakwatch.engine.PipelineStats;
import io.leakwatch.rulepack.RulePack;
import java.nio.file.Path;
import java.util.List;

/**
 * What the API reads from, and asks of, one watched org. Reads are cheap and safe from any thread.
 */
public interface MonitoredOrg {
  String name();

  List<TopicStatus> topics();

  PipelineStats stats();

  RulePack activePack();

  /**
   * The rules folder {@code POST /rules/reload} reads, or null when the org runs the built-in pack.
   */
  Path rulesFolder();

  /**
   * Compiles {@code pack} and swaps it in, or throws with the file and line of the first problem
   * and leaves the running rules alone. Blocks: never call it on an event loop.
   */
  void reload(RulePack pack) throws Exception;

  /**
   * Whether this is a drill org: its simulator is up only during drills, so it does not count for
   * readiness.
   */
  default boolean drill() {
    return false;
  }

  /** The org's response actions (approvals, history), or null when they are off for it. */
  default io.leakwatch.response.Responder responder() {
    return null;
  }

  /**
   * Why the org is not consuming and committing now (a checkpoint that cannot be saved, a sink
   * stalled too long); empty when it is.
   */
  default List<String> commitProblems() {
    return List.of();
  }

  /**
   * The sinks this org delivers to through a spool (webhook, Slack, syslog, Salesforce), as they
   * are now; a sink shared by several orgs is listed by each.
   */
  default List<io.leakwatch.alert.SpooledAlertSink.Stats> spooledSinks() {
    return List.of();
  }

  /** Wall time (epoch millis) positions were last saved, 0 when never (or nothing is kept). */
  long lastCheckpointSave();

  /**
   * @param live whether the stream is open: from when it is subscribed until it fails or goes
   *     silent past {@code staleAfterSeconds}
   * @param lastEventTime event time (epoch millis) of the newest processed event, 0 before the
   *     first
   * @param why why a source that is down cannot see its events (a permission it lacks), or null
   */
  record TopicStatus(
      String topic, boolean live, long reconnects, long lastEventTime, long processed, String why) {
    public TopicStatus(
        String topic, boolean live, long reconnects, long lastEventTime, long processed) {
      this(topic, live, reconnects, lastEventTime, processed, null);
    }
  }
}
