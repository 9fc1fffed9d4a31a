package io.leakwatch.cli;

import io.leakwatch.alert.ConsoleAlertSink;
import io.leakwatch.alert.JsonLinesAlertSink;
import io.leakwatch.drill.Drill;
import io.leakwatch.drill.DrillSummary;
import io.leakwatch.drill.LiveDrill;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.scenario.Scenarios;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch demo}: the engine against the built-in simulated org, end to end over real gRPC
 * and TLS, with every scenario of the library injected into a day of background traffic.
 */
@Command(
    name = "demo",
    description =
        "Run the engine against the built-in simulated org, end to end over gRPC/TLS, with every"
            + " scenario injected into a day of background traffic. Exit 1 when one is missed.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seed", defaultValue = "7", description = "seed of the simulated org")
  long seed;

  @Option(names = "--users", defaultValue = "500", description = "users in the org (20 to 200000)")
  int users;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "wall-clock seconds to play the day over (0 to 3600)")
  long seconds;

  @Option(names = "--out", defaultValue = "leakwatch-demo", description = "output folder")
  Path dir;

  @Option(
      names = "--date",
      defaultValue = "2026-03-10",
      description = "the simulated day (YYYY-MM-DD)")
  LocalDate date;

  @Option(
      names = "--rules",
      paramLabel = "DIR",
      description = "rule pack folder (default: the built-in pack)")
  String rules;

  @Override
  public Integer call() throws Exception {
    Bounds.check(spec, "--users", users, 20, 200_000);
    Bounds.check(spec, "--seconds", seconds, 0, 3_600);
    PrintStream out = Leakwatch.root(spec).out();
    Files.createDirectories(dir);
    Path alertsFile = dir.resolve("alerts.jsonl");
    Files.deleteIfExists(alertsFile);
    Files.deleteIfExists(dir.resolve("dead-letters.jsonl"));

    var pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(Path.of(rules));
    out.printf(
        "Leakwatch demo: simulated org (seed %d, %d users) on %s, scenarios %s%n",
        seed, users, date, Scenarios.all().stream().map(s -> s.id()).toList());
    out.printf(
        "Rule pack %s %s (%d rules, sha256 %s)%n",
        pack.name(), pack.version(), pack.rules().size(), pack.sha256().substring(0, 12));
    out.printf(
        "Simulator on loopback TLS, engine subscribing over gRPC; playing the day over %d s%n%n",
        seconds);
    Path reportDir = dir.resolve("report");
    deleteRecursively(reportDir);
    try (JsonLinesAlertSink jsonl = new JsonLinesAlertSink(alertsFile)) {
      // The demo is a drill whose alerts also print: the same evidence (report, manifest, history).
      Drill.Outcome outcome =
          Drill.run(
              new Drill.Options(
                  seed,
                  users,
                  date,
                  1,
                  seconds * 1000,
                  Scenarios.all(),
                  pack,
                  reportDir,
                  dir.resolve("drill-history.jsonl"),
                  null),
              new Drill.Runner() {
                @Override
                public LiveDrill.Result run(Path workDir, JsonLinesAlertSink reportAlerts)
                    throws Exception {
                  return LiveDrill.run(
                      new LiveDrill.Plan(
                          seed, users, date, Scenarios.all(), seconds * 1000, dir, pack),
                      List.of(new ConsoleAlertSink(out), jsonl, reportAlerts));
                }

                @Override
                public java.util.Map<String, String> settings() {
                  return java.util.Map.of("transport", "pubsub-grpc-tls-loopback");
                }
              });
      LiveDrill.Result result = outcome.result();
      DrillSummary.print(result, out);
      Path summary = dir.resolve("summary.json");
      Files.writeString(summary, DrillSummary.json(result, pack));
      out.printf(
          "%nAlerts: %s%nSummary: %s%nDrill report: %s (verify with: leakwatch drill verify %s)%n",
          alertsFile, summary, reportDir.resolve(Drill.REPORT_HTML), reportDir);
      boolean clean =
          result.outcome().allDetected()
              && result.outcome().unexplained().isEmpty()
              && result.eventsProcessed() == result.eventsPublished();
      return clean ? 0 : 1;
    }
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
