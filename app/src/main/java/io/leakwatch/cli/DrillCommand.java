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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch drill}: a leak drill with its evidence (report, manifest, history), and {@code
 * leakwatch drill verify DIR}: checks that evidence. Exit 1 when an expected detection was missed
 * or the evidence was tampered with.
 */
@Command(
    name = "drill",
    description = {
      "A leak drill: scenarios through the real path, with an HTML/JSON/JUnit report, a manifest"
          + " and the drill history. Exit 1 when an expected detection was missed.",
      "With --engine, drills an engine running elsewhere through its API: the simulator serves the"
          + " drill org on --host/--port (see: drill prepare)."
    },
    subcommands = {DrillCommand.Prepare.class, DrillCommand.Verify.class})
final class DrillCommand implements Callable<Integer> {
  static final String HISTORY_FILE = "drill-history.jsonl";

  @Spec CommandSpec spec;

  @Option(
      names = "--scenarios",
      defaultValue = "all",
      paramLabel = "all|ID,...|LW-NNN,...",
      description = "scenarios to drill, by scenario id or by the rule they exercise")
  String scenarioSet;

  @Option(names = "--seed", defaultValue = "7", description = "seed of the simulated org")
  long seed;

  @Option(names = "--days", defaultValue = "1", description = "days of traffic (1 to 31)")
  int days;

  @Option(names = "--users", defaultValue = "500", description = "users in the org (20 to 200000)")
  int users;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      description = "wall-clock seconds to play the days over (0 to 3600)")
  long seconds;

  @Option(
      names = "--date",
      paramLabel = "YYYY-MM-DD",
      description =
          "the first simulated day (default: 2026-03-10; with --engine, the day after the last"
              + " remote drill's)")
  LocalDate date;

  @Option(
      names = "--rules",
      paramLabel = "DIR",
      description = "rule pack folder (default: the built-in pack)")
  Path rules;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "evidence folder (default: leakwatch-drills/drill-<UTC time>)")
  Path outOption;

  @Option(
      names = "--history",
      paramLabel = "FILE",
      description = "drill history to append to (default: DIR/../" + HISTORY_FILE + ")")
  Path history;

  @Option(
      names = "--sign-key",
      paramLabel = "KEY.pem",
      description = "sign the manifest (Ed25519 or ECDSA P-256, unencrypted PEM)")
  Path signKey;

  @Option(
      names = "--engine",
      paramLabel = "URL",
      description = "drill an engine running elsewhere through its API")
  String engine;

  @Option(
      names = "--engine-org",
      paramLabel = "NAME",
      description = "the drill org in that engine's configuration")
  String engineOrg;

  @Option(
      names = "--engine-token-env",
      defaultValue = "LEAKWATCH_API_TOKEN",
      paramLabel = "VAR",
      description = "environment variable holding the engine's API token")
  String tokenVariable;

  @Option(
      names = "--engine-cacert",
      paramLabel = "PEM",
      description = "certificate to trust for the engine's API")
  Path caCert;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "with --engine: address the simulator listens on")
  String host;

  @Option(
      names = "--port",
      defaultValue = "7443",
      description = "with --engine: port the simulator listens on")
  int port;

  @Option(
      names = "--home",
      defaultValue = "leakwatch-remote-drill",
      description = "with --engine: the drill org's folder (see: drill prepare)")
  Path home;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "300",
      description = "with --engine: how long to wait for the engine's alerts (10 to 86400)")
  long timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintStream out = Leakwatch.root(spec).out();
    PrintStream err = Leakwatch.root(spec).err();
    Bounds.check(spec, "--users", users, 20, 200_000);
    Bounds.check(spec, "--days", days, 1, 31);
    Bounds.check(spec, "--seconds", seconds, 0, 3_600);
    Bounds.check(spec, "--port", port, 0, 65_535);
    Bounds.check(spec, "--timeout-seconds", timeoutSeconds, 10, 86_400);
    LocalDate date =
        this.date != null
            ? this.date
            : engine != null
                ? io.leakwatch.drill.RemoteDrill.nextDate(
                    home, io.leakwatch.drill.RemoteDrill.today())
                : LocalDate.parse("2026-03-10");
    List<Scenario> scenarios;
    try {
      scenarios = Drill.select(scenarioSet);
    } catch (IllegalArgumentException e) {
      throw Bounds.usage(spec, "--scenarios: " + e.getMessage());
    }
    Path outDir =
        (outOption != null
                ? outOption
                : Path.of(
                    "leakwatch-drills/drill-"
                        + ZonedDateTime.now(ZoneOffset.UTC)
                            .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT))))
            .toAbsolutePath();
    Path history = this.history != null ? this.history : outDir.getParent().resolve(HISTORY_FILE);
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(rules);

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
              seed, users, date, days, seconds * 1000, scenarios, pack, outDir, history, signKey);
      if (engine == null) {
        outcome = Drill.run(options);
      } else {
        String token = System.getenv(tokenVariable);
        if (token == null || token.isBlank()) {
          throw Bounds.usage(
              spec, "--engine needs the API token in the environment variable " + tokenVariable);
        }
        if (engineOrg == null) {
          throw Bounds.usage(
              spec,
              "--engine needs --engine-org NAME: the drill org in the engine's configuration");
        }
        var target =
            new io.leakwatch.drill.RemoteDrill.Target(
                java.net.URI.create(engine), token, caCert, engineOrg);
        var endpoint =
            new io.leakwatch.drill.RemoteDrill.Endpoint(
                host, port, home, java.time.Duration.ofSeconds(timeoutSeconds));
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
  @Command(
      name = "prepare",
      description =
          "Write the drill org's profile and certificate and print its engine configuration.")
  static final class Prepare implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--home",
        defaultValue = "leakwatch-remote-drill",
        description = "the drill org's folder")
    Path home;

    @Option(names = "--seed", defaultValue = "7", description = "seed of the simulated org")
    long seed;

    @Option(
        names = "--users",
        defaultValue = "500",
        description = "users in the org (20 to 200000)")
    int users;

    @Option(
        names = "--host",
        defaultValue = "127.0.0.1",
        description = "address the simulator will listen on")
    String host;

    @Option(
        names = "--port",
        defaultValue = "7443",
        description = "port the simulator will listen on")
    int port;

    @Option(
        names = "--name",
        paramLabel = "HOST",
        description = "how the engine reaches the simulator (default: --host)")
    String name;

    @Override
    public Integer call() throws Exception {
      Bounds.check(spec, "--users", users, 20, 200_000);
      Bounds.check(spec, "--port", port, 0, 65_535);
      return prepare(
          home, seed, users, name != null ? name : host, port, Leakwatch.root(spec).out());
    }
  }

  private static int prepare(
      Path home, long seed, int users, String name, int port, PrintStream out) throws Exception {
    home = home.toAbsolutePath();
    var org = io.leakwatch.sim.org.SimulatedOrg.generate(seed, users);
    // The engine reaches the simulator by --name (default: the address it listens on); the
    // certificate names it.
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
        port,
        cert,
        org.instanceUrl(),
        org.orgId(),
        io.leakwatch.sim.traffic.EventSchemas.TOPICS,
        home.resolve("org-profile.yaml"),
        home);
    return 0;
  }

  @Command(
      name = "verify",
      description =
          "Check every file of a drill against its manifest and signature. Exit 1 when tampered"
              + " with.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "the drill folder to verify")
    Path dir;

    @Option(
        names = "--public-key",
        paramLabel = "PEM",
        description = "require the manifest to be signed by this key")
    Path keyFile;

    @Override
    public Integer call() throws Exception {
      return verify(dir, keyFile, Leakwatch.root(spec).out(), Leakwatch.root(spec).err());
    }
  }

  private static int verify(Path dir, Path keyFile, PrintStream out, PrintStream err)
      throws Exception {
    PublicKey pinned;
    try {
      pinned = keyFile == null ? null : SigningKey.loadPublic(keyFile);
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

  private static String seconds(long millis) {
    return millis < 0 ? "-" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
