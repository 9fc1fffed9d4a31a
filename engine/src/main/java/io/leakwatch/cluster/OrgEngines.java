package io.leakwatch.cluster;

import io.leakwatch.store.Fence;
import java.util.List;

/** What the assignment starts and stops: one org's engine at a time, by configured name. */
public interface OrgEngines {
  /** Every org the configuration names, whether this node runs it or not. */
  List<String> configured();

  /**
   * Starts the org's engine; every durable write it makes is fenced by {@code fence}. Blocks until
   * it runs; throws when it cannot start.
   */
  void start(String org, Fence fence) throws Exception;

  /**
   * Stops the org's engine: it finishes the batch in hand, delivers its alerts and saves its
   * checkpoint. Does nothing when it does not run here.
   */
  void stop(String org);

  /** Whether the org's engine runs here (it may also have stopped itself: a stale fence). */
  boolean running(String org);
}
