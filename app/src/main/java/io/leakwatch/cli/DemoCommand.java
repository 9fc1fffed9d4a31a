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
import java.util.Set;

/**
 * {@code leakwatch demo}: the engine against the built-in simulated org, end to end over real gRPC
 * and TLS, with every scenario of the library injected into a day of background traffic.
 */
final class DemoCommand {
  static final Set<String> OPTIONS = Set.of("seed", "users", "seconds", "out", "date", "rules");

  private DemoCommand() {}

  static int run(Args args, PrintStream out) throws Exception {
    long seed = args.number("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE);
    int users = (int) args.number("users", 500, 20, 200_000);
    long seconds = args.number("seconds", 20, 0, 3_600);
    Path dir = Path.of(args.text("out", "leakwatch-demo"));
    LocalDate date = LocalDate.parse(args.text("date", "2026-03-10"));
    String rules = args.text("rules", null);
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
