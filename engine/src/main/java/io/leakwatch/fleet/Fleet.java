package io.leakwatch.fleet;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.api.AlertHistory;
import io.leakwatch.api.EngineOrg;
import io.leakwatch.api.MonitoredOrg;
import io.leakwatch.config.OrgConfig;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.profile.ProfileException;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackException;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Every configured org running at once: one {@link LeakwatchEngine} per org, each with its own
 * Vert.x instance (so the engines' event-bus addresses never meet) and its own state folder, all
 * delivering to the same sinks. Closing stops every engine, then closes the sinks once.
 */
public final class Fleet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** How often a rules folder is checked for changes. */
  private static final long RULES_CHECK_MILLIS = 2_000;

  private final List<EngineOrg> orgs;
  private final List<AlertSink> sinks;

  private Fleet(List<EngineOrg> orgs, List<AlertSink> sinks) {
    this.orgs = List.copyOf(orgs);
    this.sinks = List.copyOf(sinks);
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
    List<EngineOrg> started = new ArrayList<>();
    try {
      for (OrgConfig org : configs) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("org", org.name())) {
          RulePack pack =
              org.rules() == null
                  ? RulePackLoader.defaultPack()
                  : RulePackLoader.fromDirectory(org.rules());
          List<AlertSink> orgSinks = new ArrayList<>();
          sinks.forEach(sink -> orgSinks.add(new SharedSink(sink)));
          if (history != null) {
            orgSinks.add(history.sinkFor(org.name()));
          }
          LeakwatchEngine engine = LeakwatchEngine.start(org.settings(pack, orgSinks));
          started.add(new EngineOrg(org.name(), engine, org.rules()));
          if (org.rules() != null) {
            // Edit the folder and the rules reload: compiled first, swapped only if they compile.
            engine.watchRules(org.rules(), RULES_CHECK_MILLIS);
          }
          LOG.info(
              "org {} running: {}:{}, {} topics, rule pack {} {} ({} rules)",
              org.name(),
              org.endpoint().host(),
              org.endpoint().port(),
              org.topics().size(),
              pack.name(),
              pack.version(),
              pack.rules().size());
        } catch (ProfileException | RulePackException e) {
          throw e; // a configuration problem: already names its file and line
        } catch (Exception e) {
          throw new OrgStartException(org.name(), e);
        }
      }
    } catch (Exception e) {
      new Fleet(started, sinks).close();
      throw e;
    }
    return new Fleet(started, sinks);
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

  public List<MonitoredOrg> orgs() {
    return List.copyOf(orgs);
  }

  public LeakwatchEngine engine(String org) {
    return orgs.stream()
        .filter(o -> o.name().equals(org))
        .findFirst()
        .map(EngineOrg::engine)
        .orElseThrow(() -> new IllegalArgumentException("no org named " + org));
  }

  /**
   * Stops every engine (each finishes its batch, delivers its alerts, saves its checkpoint), then
   * closes the sinks.
   */
  @Override
  public void close() {
    for (int i = orgs.size() - 1; i >= 0; i--) {
      EngineOrg org = orgs.get(i);
      try {
        org.engine().close();
      } catch (Exception e) {
        LOG.error("org {} did not stop cleanly: {}", org.name(), e.toString());
      }
    }
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
  }

  /**
   * One engine's handle on a sink every engine delivers to: deliveries from different engines (each
   * on its own worker thread) take turns, and an engine stopping does not close it for the others.
   */
  private record SharedSink(AlertSink sink) implements AlertSink {
    @Override
    public void accept(Alert alert) throws IOException {
      synchronized (sink) {
        sink.accept(alert);
      }
    }

    @Override
    public void close() {
      // The fleet closes the shared sink once every engine has stopped.
    }
  }
}
