package io.leakwatch.fleet;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.api.AlertHistory;
import io.leakwatch.api.EngineOrg;
import io.leakwatch.api.MonitoredOrg;
import io.leakwatch.cluster.OrgEngines;
import io.leakwatch.config.OrgConfig;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.profile.ProfileException;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.store.Fence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The orgs this process watches: one {@link LeakwatchEngine} per org, each with its own Vert.x
 * instance (so the engines' event-bus addresses never meet) and its own state folder, all
 * delivering to the same sinks. A single node runs every configured org from start to close; a
 * cluster node starts and stops orgs one at a time as its share of the cluster changes. Closing
 * stops every engine, then closes the sinks once.
 */
public final class Fleet implements AutoCloseable, OrgEngines {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** How often a rules folder is checked for changes. */
  private static final long RULES_CHECK_MILLIS = 2_000;

  /** Every configured org, in the configuration's order. */
  private final Map<String, OrgConfig> configs = new LinkedHashMap<>();

  /** One lock per org: an org starts or stops once at a time; different orgs in parallel. */
  private final Map<String, Object> locks = new HashMap<>();

  private final Map<String, EngineOrg> running = new ConcurrentHashMap<>();
  private final List<AlertSink> sinks;
  private final AlertHistory history;
  private final SpoolShare spoolShare;
  private volatile boolean closed;

  private Fleet(
      List<OrgConfig> configs, List<AlertSink> sinks, AlertHistory history, SpoolShare share) {
    configs.forEach(
        org -> {
          this.configs.put(org.name(), org);
          this.locks.put(org.name(), new Object());
        });
    this.sinks = List.copyOf(sinks);
    this.history = history;
    this.spoolShare = share;
  }

  /**
   * Starts an engine for each org, in order; if one cannot start, the ones already running are
   * stopped, the sinks closed, and the failure thrown.
   *
   * @param sinks shared by all orgs; the fleet owns them from here on and closes them
   * @param history records each org's delivered alerts for the API, or null
   */
  public static Fleet start(List<OrgConfig> configs, List<AlertSink> sinks, AlertHistory history)
      throws Exception {
    Fleet fleet = new Fleet(configs, sinks, history, null);
    try {
      for (OrgConfig org : configs) {
        fleet.start(org.name(), null);
      }
    } catch (Exception e) {
      fleet.close();
      throw e;
    }
    return fleet;
  }

  /**
   * A fleet that runs none of {@code configs} yet: a cluster node starts and stops each org as its
   * share of the cluster changes ({@link #start(String, Fence)}, {@link #stop(String)}).
   */
  public static Fleet idle(List<OrgConfig> configs, List<AlertSink> sinks, AlertHistory history) {
    return new Fleet(configs, sinks, history, null);
  }

  /**
   * {@link #idle(List, List, AlertHistory)} whose spooled sinks record in the shared store what
   * they hold, and which takes over, at each org's start under a lease, what nodes gone left
   * unsent.
   *
   * @param share the fleet owns it from here on and closes it
   */
  public static Fleet idle(
      List<OrgConfig> configs, List<AlertSink> sinks, AlertHistory history, SpoolShare share) {
    return new Fleet(configs, sinks, history, share);
  }

  /**
   * Starts the org's engine (nothing when it already runs here). Blocks until it runs.
   *
   * @param fence what the org's durable writes are fenced by on a cluster node; null on a single
   *     node
   */
  @Override
  public void start(String name, Fence fence) throws Exception {
    OrgConfig org = configs.get(name);
    if (org == null) {
      throw new IllegalArgumentException("no org named " + name);
    }
    synchronized (locks.get(name)) {
      if (running.containsKey(name)) {
        return;
      }
      if (closed) {
        throw new IllegalStateException("the fleet is stopping");
      }
      try (MDC.MDCCloseable ignored = MDC.putCloseable("org", org.name())) {
        RulePack pack =
            org.rules() == null
                ? RulePackLoader.defaultPack()
                : RulePackLoader.fromDirectory(org.rules());
        List<AlertSink> orgSinks = new ArrayList<>();
        for (AlertSink sink : sinks) {
          // On a cluster node a spooled sink records what it takes in the store, for a takeover.
          AlertSink own = spoolShare == null ? sink : spoolShare.recording(org.name(), sink);
          orgSinks.add(new SharedSink(sink, own));
        }
        if (history != null) {
          orgSinks.add(history.sinkFor(org.name()));
        }
        EngineSettings settings = org.settings(pack, orgSinks);
        // On a cluster node every write of the org's state is made under the org's lease.
        LeakwatchEngine engine =
            LeakwatchEngine.start(fence == null ? settings : settings.withFence(fence));
        running.put(name, new EngineOrg(org.name(), engine, org.rules()));
        if (fence != null && spoolShare != null) {
          spoolShare.owns(name, fence);
          takeOverSpooled(name, fence);
        }
        if (org.rules() != null) {
          // Edit the folder and the rules reload: compiled first, swapped only if they compile.
          engine.watchRules(org.rules(), RULES_CHECK_MILLIS);
        }
        LOG.info(
            "org {} running: {}:{}, {} topics, rule pack {} {} ({} rules){}",
            org.name(),
            org.endpoint().host(),
            org.endpoint().port(),
            org.topics().size(),
            pack.name(),
            pack.version(),
            pack.rules().size(),
            fence == null ? "" : ", lease token " + fence.token());
      } catch (ProfileException | RulePackException e) {
        throw e; // a configuration problem: already names its file and line
      } catch (Exception e) {
        throw new OrgStartException(org.name(), e);
      }
    }
  }

  /**
   * Spools here what nodes gone had spooled for the org and never sent. A failure is logged, not
   * thrown: the rows stay in the store for the org's next start, and the org runs meanwhile.
   */
  private void takeOverSpooled(String org, Fence fence) {
    try {
      spoolShare.takeOver(org, fence);
    } catch (IOException | RuntimeException e) {
      LOG.error(
          "org {}: alerts spooled on nodes gone could not be taken over (they stay in the store"
              + " for the org's next start): {}",
          org,
          e.getMessage());
    }
  }

  /** Alerts of the org this node took over from nodes gone (0 on a single node). */
  public long spooledTakenOver(String org) {
    return spoolShare == null ? 0 : spoolShare.takenOver(org);
  }

  /**
   * Stops the org's engine if it runs here: it finishes the batch in hand, delivers its alerts and
   * saves its checkpoint. The shared sinks stay open for the other orgs.
   */
  @Override
  public void stop(String name) {
    Object lock = locks.get(name);
    if (lock == null) {
      return;
    }
    synchronized (lock) {
      EngineOrg org = running.remove(name);
      if (org == null) {
        return;
      }
      if (spoolShare != null) {
        spoolShare.gave(name);
      }
      try (MDC.MDCCloseable ignored = MDC.putCloseable("org", name)) {
        org.engine().close();
        LOG.info("org {} stopped; its checkpoint is saved", name);
      } catch (Exception e) {
        LOG.error("org {} did not stop cleanly: {}", name, e.toString());
      }
    }
  }

  /** Whether the org's engine runs here and still holds its lease (is not fenced off). */
  @Override
  public boolean running(String name) {
    EngineOrg org = running.get(name);
    return org != null && org.engine().fencedOff() == null;
  }

  @Override
  public List<String> configured() {
    return List.copyOf(configs.keySet());
  }

  /** An org's engine could not start; says which org, and why. */
  public static final class OrgStartException extends Exception {
    OrgStartException(String org, Exception cause) {
      super(
          "org "
              + org
              + ": "
              + (cause.getCause() != null
                      && cause instanceof java.util.concurrent.ExecutionException
                  ? cause.getCause().getMessage()
                  : cause.getMessage()),
          cause);
    }
  }

  /**
   * The orgs whose engines run here now, in the configuration's order (not one fenced off: it
   * stopped processing because another node holds its lease now).
   */
  public List<MonitoredOrg> orgs() {
    List<MonitoredOrg> out = new ArrayList<>();
    for (String name : configs.keySet()) {
      EngineOrg org = running.get(name);
      if (org != null && org.engine().fencedOff() == null) {
        out.add(org);
      }
    }
    return out;
  }

  public LeakwatchEngine engine(String org) {
    EngineOrg running = this.running.get(org);
    if (running == null) {
      throw new IllegalArgumentException("no org named " + org + " runs here");
    }
    return running.engine();
  }

  /**
   * Stops every engine (each finishes its batch, delivers its alerts, saves its checkpoint), then
   * closes the sinks.
   */
  @Override
  public void close() {
    closed = true;
    List<String> names = new ArrayList<>(configs.keySet());
    java.util.Collections.reverse(names);
    names.forEach(this::stop);
    for (AlertSink sink : sinks) {
      try {
        sink.close();
      } catch (IOException | RuntimeException e) {
        LOG.error(
            "alert sink {} did not close cleanly: {}",
            sink.getClass().getSimpleName(),
            e.toString());
      }
    }
    if (spoolShare != null) {
      spoolShare.close();
    }
  }

  /**
   * One engine's handle on a sink every engine delivers to: deliveries from different engines (each
   * on its own worker thread) take turns, and an engine stopping does not close it for the others.
   */
  private record SharedSink(AlertSink sink, AlertSink own) implements AlertSink {
    @Override
    public void accept(Alert alert) throws IOException {
      synchronized (sink) {
        own.accept(alert); // the sink itself, or its handle that records for the org
      }
    }

    @Override
    public io.leakwatch.alert.SpooledAlertSink.Stats spoolStats() {
      return sink.spoolStats();
    }

    @Override
    public void close() {
      // The fleet closes the shared sink once every engine has stopped.
    }
  }
}
