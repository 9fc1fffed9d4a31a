package io.leakwatch.cli;

import io.leakwatch.drill.Drill;
import io.leakwatch.drill.DrillReport;
import io.leakwatch.drill.DrillSummary;
import io.leakwatch.drill.EvidenceManifest;
import io.leakwatch.drill.SigningKey;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.scenario.Scenario;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code leakwatch drill}: a leak drill with its evidence (report, manifest, history), and {@code
 * leakwatch drill verify DIR}: checks that evidence. Exit 1 when an expected detection was missed
 * or the evidence was tampered with.
 */
final class DrillCommand {
  static final Set<String> OPTIONS =
      Set.of(
          "scenarios",
          "seed",
          "days",
          "out",
          "sign-key",
          "history",
          "users",
          "seconds",
          "date",
          "rules",
          "engine",
          "engine-org",
          "engine-token-env",
          "engine-cacert",
          "host",
          "port",
          "home",
          "timeout-seconds");
  static final Set<String> PREPARE_OPTIONS =
      Set.of("home", "seed", "users", "host", "port", "name");
  static final Set<String> VERIFY_OPTIONS = Set.of("public-key");
  static final String HISTORY_FILE = "drill-history.jsonl";

  private DrillCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
    if (!argv.isEmpty() && argv.get(0).equals("verify")) {
      return verify(new Args(argv.subList(1, argv.size()), VERIFY_OPTIONS, 1), out, err);
    }
    if (!argv.isEmpty() && argv.get(0).equals("prepare")) {
      return prepare(new Args(argv.subList(1, argv.size()), PREPARE_OPTIONS), out);
    }
    Args args = new Args(argv, OPTIONS);
    long seed = args.number("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE);
    int users = (int) args.number("users", 500, 20, 200_000);
    int days = (int) args.number("days", 1, 1, 31);
    long seconds = args.number("seconds", 20, 0, 3_600);
    String engine = args.text("engine", null);
    Path home = Path.of(args.text("home", "leakwatch-remote-drill"));
    LocalDate date =
        args.text("date", null) != null
            ? date(args.text("date", null))
            : engine != null
                ? io.leakwatch.drill.RemoteDrill.nextDate(
                    home, io.leakwatch.drill.RemoteDrill.today())
                : date("2026-03-10");
    String scenarioSet = args.text("scenarios", "all");
    List<Scenario> scenarios;
    try {
      scenarios = Drill.select(scenarioSet);
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--scenarios: " + e.getMessage());
    }
    Path outDir =
        Path.of(
                args.text(
                    "out",
                    "leakwatch-drills/drill-"
                        + ZonedDateTime.now(ZoneOffset.UTC)
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT))))
            .toAbsolutePath();
    Path history =
        args.text("history", null) != null
            ? Path.of(args.text("history", null))
            : outDir.getParent().resolve(HISTORY_FILE);
    String signKey = args.text("sign-key", null);
    String rules = args.text("rules", null);
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(Path.of(rules));

    out.printf(
        "Leakwatch drill: %d scenario(s) %s%n",
        scenarios.size(), scenarios.stream().map(Scenario::id).toList());
    out.printf(
        "Simulated org (seed %d, %d users), %d day(s) from %s played over %d s; rule pack %s %s (sha256 %s)%n",
        seed,
        users,
        days,
        date,
        seconds,
        pack.name(),
        pack.version(),
        pack.sha256().substring(0, 12));
    Drill.Outcome outcome;
    try {
      Drill.Options options =
          new Drill.Options(
              seed,
              users,
              date,
              days,
              seconds * 1000,
              scenarios,
              pack,
              outDir,
              history,
              signKey == null ? null : Path.of(signKey));
      if (engine == null) {
        outcome = Drill.run(options);
      } else {
        String tokenVariable = args.text("engine-token-env", "LEAKWATCH_API_TOKEN");
        String token = System.getenv(tokenVariable);
        if (token == null || token.isBlank()) {
          throw new Args.UsageException(
              "--engine needs the API token in the environment variable " + tokenVariable);
        }
        String org = args.text("engine-org", null);
        if (org == null) {
          throw new Args.UsageException(
              "--engine needs --engine-org NAME: the drill org in the engine's configuration");
        }
        String caCert = args.text("engine-cacert", null);
        var target =
            new io.leakwatch.drill.RemoteDrill.Target(
                java.net.URI.create(engine), token, caCert == null ? null : Path.of(caCert), org);
        var endpoint =
            new io.leakwatch.drill.RemoteDrill.Endpoint(
                args.text("host", "127.0.0.1"),
                (int) args.number("port", 7443, 0, 65_535),
                home,
                java.time.Duration.ofSeconds(args.number("timeout-seconds", 300, 10, 86_400)));
        outcome =
            Drill.run(options, new io.leakwatch.drill.RemoteDrill(options, target, endpoint, out));
      }
    } catch (Drill.SetupException | SigningKey.KeyException e) {
      err.println("leakwatch: drill: " + e.getMessage());
      return 2;
    }
    DrillSummary.print(outcome.result(), out);
    outcome.historyProblems().forEach(p -> err.println("leakwatch: drill history: " + p));
    DrillReport report = outcome.report();
    DrillReport.Figures f = report.figures();
    out.printf(
        Locale.ROOT,
        "%nDrill: %d of %d scenarios passed (%d detected); time to detect p50 %s, max %s (event time); "
            + "latency p50 %d ms, max %d ms; %d false positive(s)%n",
        f.passed(),
        f.scenarios(),
        f.detected(),
        seconds(f.timeToDetectP50Millis()),
        seconds(f.timeToDetectMaxMillis()),
        f.latencyP50Millis(),
        f.latencyMaxMillis(),
        f.falsePositives());
    for (DrillReport.ScenarioRow row : report.scenarios()) {
      if (!row.passed()) {
        out.printf(
            "MISSED: %s expected detection by %s, which did not fire%n",
            row.id(), String.join(", ", row.missedRules()));
      }
    }
    out.printf("Report:   %s%n", outDir.resolve(Drill.REPORT_HTML));
    out.printf(
        "Data:     %s, %s%n", outDir.resolve(Drill.REPORT_JSON), outDir.resolve(Drill.JUNIT_XML));
    out.printf(
        "Evidence: %s%s%n",
        outDir.resolve(EvidenceManifest.MANIFEST),
        signKey == null ? " (unsigned)" : " signed in " + EvidenceManifest.SIGNATURE);
    out.printf("History:  %s%n", history.toAbsolutePath());
    return report.allPassed() ? 0 : 1;
  }

  /**
   * Writes what an engine's drill org needs before the first remote drill, and prints its
   * configuration.
   */
  private static int prepare(Args args, PrintStream out) throws Exception {
    Path home = Path.of(args.text("home", "leakwatch-remote-drill")).toAbsolutePath();
    var org =
        io.leakwatch.sim.org.SimulatedOrg.generate(
            args.number("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE),
            (int) args.number("users", 500, 20, 200_000));
    // The engine reaches the simulator by --name (default: the address it listens on); the
    // certificate names it.
    String name = args.text("name", args.text("host", "127.0.0.1"));
    Path cert = io.leakwatch.drill.RemoteDrill.prepare(home, org, java.util.List.of(name));
    out.printf(
        """
        Wrote %s and %s. Add the simulated org to the engine's configuration as a drill org:

          - name: drill
            drill: true                   # its alerts are marked drill and page no one
            endpoint: {host: %s, port: %d, trustCertificate: %s}
            auth: {accessToken: drill-simulator, instanceUrl: %s, tenantId: %s}
            topics: %s
            replay: latest
            profile: %s

        then run: LEAKWATCH_API_TOKEN=... leakwatch drill --engine https://ENGINE:8443 --engine-org drill --home %s
        (same --seed and --users as here; the simulator listens on the port above while the drill runs)
        """,
        home.resolve("org-profile.yaml"),
        cert,
        name,
        args.number("port", 7443, 0, 65_535),
        cert,
        org.instanceUrl(),
        org.orgId(),
        io.leakwatch.sim.traffic.EventSchemas.TOPICS,
        home.resolve("org-profile.yaml"),
        home);
    return 0;
  }

  private static int verify(Args args, PrintStream out, PrintStream err) throws Exception {
    Path dir =
        Path.of(args.positional(0, "the drill folder to verify (leakwatch drill verify DIR)"));
    String keyFile = args.text("public-key", null);
    PublicKey pinned;
    try {
      pinned = keyFile == null ? null : SigningKey.loadPublic(Path.of(keyFile));
    } catch (SigningKey.KeyException e) {
      err.println("leakwatch: drill verify: " + e.getMessage());
      return 2;
    }
    EvidenceManifest.Verification v = EvidenceManifest.verify(dir, pinned);
    if (!v.intact()) {
      v.problems().forEach(p -> err.println("TAMPERED " + p));
      err.printf(
          "leakwatch: drill verify: %s failed verification (%d problem(s))%n",
          dir, v.problems().size());
      return 1;
    }
    out.printf(
        "%s: intact, %d file(s) match %s; %s%n",
        dir,
        v.files(),
        EvidenceManifest.MANIFEST,
        v.signer() == null
            ? "not signed"
            : "signature valid, signed by "
                + v.signer()
                + (pinned == null
                    ? " (key taken from manifest.sig; pin it with --public-key)"
                    : " (the given public key)"));
    return 0;
  }

  private static LocalDate date(String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new Args.UsageException("--date must be YYYY-MM-DD, was '" + text + "'");
    }
  }

  private static String seconds(long millis) {
    return millis < 0 ? "-" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
