package io.leakwatch.cli;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.api.AlertHistory;
import io.leakwatch.api.ApiServer;
import io.leakwatch.api.DrillLauncher;
import io.leakwatch.cluster.ClusterNode;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.fleet.Fleet;
import io.leakwatch.fleet.SpoolShare;
import io.leakwatch.logs.LogSetup;
import io.leakwatch.store.AlertStore;
import io.leakwatch.store.PostgresSpooledAlerts;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch run --config FILE}: every configured org watched, and the HTTP API, until
 * stopped.
 */
@Command(
    name = "run",
    description =
        "Watch every org of a configuration file (Salesforce or a simulator), with the HTTP API,"
            + " until stopped (SIGTERM saves each org's checkpoint).")
final class RunCommand implements Callable<Integer> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunCommand.class);

  /** Alerts the API keeps in memory beyond what the alerts file holds. */
  enum LogFormat {
    json,
    text
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "the configuration file (see: leakwatch config check FILE)")
  Path file;

  @Option(
      names = "--log-format",
      defaultValue = "json",
      description = "log lines as ${COMPLETION-CANDIDATES}")
  LogFormat format;

  @Option(
      names = "--log-file",
      paramLabel = "FILE",
      description = "also write the JSON log lines to this file (needs --log-format json)")
  Path logFile;

  @Override
  public Integer call() throws Exception {
    PrintStream out = Leakwatch.root(spec).out();
    if (format == LogFormat.json) {
      LogSetup.json(logFile);
    } else if (logFile != null) {
      throw Bounds.usage(spec, "--log-file needs --log-format json");
    }
    EngineConfig config = EngineConfig.load(file, System.getenv());
    if (!StartCheckReport.passes(
        file, config, Leakwatch.root(spec).err(), Leakwatch.root(spec).err())) {
      return 2; // named by key above, as config check names them
    }
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // SIGTERM (docker stop): each engine finishes the batch in hand, delivers its alerts, saves its
    // checkpoint.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopRequested.countDown();
                  try {
                    closed.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "leakwatch-shutdown"));
    try (ApiDrills drills = new ApiDrills(config);
        Service service = Service.start(config, out, drills)) {
      out.printf(
          "Leakwatch running%s: %d org%s%s%s%n",
          config.cluster() == null ? "" : " as cluster node " + config.cluster().nodeName(),
          config.orgs().size(),
          config.orgs().size() == 1 ? "" : "s",
          config.cluster() == null ? "" : " configured, each processed by one node at a time",
          service.api() == null ? "" : ", API on port " + service.api().port());
      config.summary().forEach(line -> out.println("  " + line));
      stopRequested.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }

  /**
   * A running process: every org's engine, the sinks they share, and the HTTP API if configured.
   */
  static final class Service implements AutoCloseable {
    private final Fleet fleet;
    private final ApiServer api;
    private final AlertHistory history;
    private final ClusterNode cluster;

    private Service(Fleet fleet, ApiServer api, AlertHistory history, ClusterNode cluster) {
      this.fleet = fleet;
      this.api = api;
      this.history = history;
      this.cluster = cluster;
    }

    /**
     * @param console where the console sink prints
     * @param drills what {@code /drills} starts drills with, or null when this process runs none
     */
    static Service start(EngineConfig config, PrintStream console, DrillLauncher drills)
        throws Exception {
      List<AlertSink> sinks = config.openSinks(console);
      AlertHistory history;
      try {
        history = new AlertHistory(AlertStore.openRecovering(config.store(), LOG::warn));
      } catch (RuntimeException e) {
        sinks.forEach(RunCommand::closeQuietly);
        throw e;
      }
      Fleet fleet;
      ClusterNode cluster = null;
      SpoolShare spoolShare = null;
      try {
        if (config.cluster() == null) {
          fleet = Fleet.start(config.orgs(), sinks, history);
        } else {
          // A cluster node starts with no org: the assignment starts its share once it has quorum.
          // What its spooled sinks hold is recorded in the store, for a takeover if it is lost.
          SpoolShare share;
          try {
            share =
                new SpoolShare(
                    new PostgresSpooledAlerts(
                        config.store(), config.cluster().nodeName(), Clock.systemUTC()),
                    sinks,
                    null);
          } catch (RuntimeException e) {
            sinks.forEach(RunCommand::closeQuietly);
            throw e;
          }
          spoolShare = share;
          fleet = Fleet.idle(config.orgs(), sinks, history, share);
          try {
            cluster =
                ClusterNode.join(
                    config.cluster(),
                    config.store(),
                    fleet,
                    membership -> {
                      share.seeMembersIn(membership::members);
                      membership.onChange(share::membersChanged);
                    });
          } catch (Exception | Error e) {
            fleet.close();
            throw e;
          }
        }
      } catch (Exception | Error e) {
        history.close();
        throw e;
      }
      ApiServer api = null;
      if (config.api() != null) {
        try {
          api =
              cluster == null
                  ? ApiServer.start(config.api(), fleet.orgs(), history, drills)
                  : ApiServer.start(
                      config.api(),
                      fleet::orgs,
                      clusterStatus(cluster, spoolShare),
                      history,
                      drills);
        } catch (Exception e) {
          if (cluster != null) {
            cluster.close();
          }
          fleet.close();
          history.close();
          throw new IllegalStateException(
              "the HTTP API could not start on " + config.api() + ": " + e.getMessage(), e);
        }
      }
      return new Service(fleet, api, history, cluster);
    }

    /** The assignment's status, with the alerts this node took over from nodes gone. */
    private static java.util.function.Supplier<io.leakwatch.cluster.ClusterStatus> clusterStatus(
        ClusterNode cluster, SpoolShare share) {
      return () -> cluster.assignment().status().withSpooledTakenOver(share.takenOver());
    }

    Fleet fleet() {
      return fleet;
    }

    /** The cluster membership and org assignment, or null on a single node. */
    ClusterNode cluster() {
      return cluster;
    }

    /** The API, or null when the configuration has no {@code api:} key. */
    ApiServer api() {
      return api;
    }

    @Override
    public void close() throws Exception {
      try {
        if (api != null) {
          api.close();
        }
      } finally {
        try {
          if (cluster != null) {
            // Stops every org here and releases its lease: the other nodes take them at once.
            cluster.close();
          }
        } finally {
          try {
            fleet.close();
          } finally {
            history.close();
          }
        }
      }
    }
  }

  private static void closeQuietly(AlertSink sink) {
    try {
      sink.close();
    } catch (Exception ignored) {
      // Start failed already; that failure is the one to report.
    }
  }
}
