package io.leakwatch.drill;

import io.leakwatch.alert.JsonLinesAlertSink;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.sim.scenario.Scenario;
import io.leakwatch.sim.scenario.Scenarios;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A leak drill: runs the chosen scenarios through the real path ({@link LiveDrill}), then writes
 * the evidence into a fresh folder — report.html, report.json, junit.xml, alerts.jsonl,
 * manifest.json (and manifest.sig with a key) — and appends the run to the drill history.
 */
public final class Drill {
  public static final String REPORT_HTML = "report.html";
  public static final String REPORT_JSON = "report.json";
  public static final String JUNIT_XML = "junit.xml";
  public static final String ALERTS = "alerts.jsonl";

  /**
   * @param signKey a PEM private key to sign the manifest with, or null
   */
  public record Options(
      long seed,
      int users,
      LocalDate date,
      int days,
      long playMillis,
      List<Scenario> scenarios,
      RulePack pack,
      Path outDir,
      Path historyFile,
      Path signKey) {}

  /**
   * @param historyProblems lines of the history file that did not read (left as they were)
   */
  public record Outcome(
      DrillReport report, LiveDrill.Result result, List<String> historyProblems) {}

  /** A drill that cannot start: its output folder, history or key is unusable. */
  public static final class SetupException extends IOException {
    public SetupException(String message) {
      super(message);
    }
  }

  private Drill() {}

  /**
   * The scenarios a {@code --scenarios} value names: "all", or a comma-separated list of scenario
   * ids and rule ids (a rule id stands for every scenario that expects that rule), in library
   * order.
   */
  public static List<Scenario> select(String spec) {
    List<Scenario> library = Scenarios.all();
    if (spec.equals("all")) {
      return library;
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String part : spec.split(",")) {
      String name = part.strip();
      if (name.isEmpty()) {
        continue;
      }
      List<String> matches =
          library.stream()
              .filter(s -> s.id().equals(name) || s.expectedRules().contains(name))
              .map(Scenario::id)
              .toList();
      if (matches.isEmpty()) {
        throw new IllegalArgumentException(
            "no scenario or rule '"
                + name
                + "' in the scenario library (scenarios: "
                + library.stream().map(Scenario::id).toList()
                + ")");
      }
      chosen.addAll(matches);
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("--scenarios names no scenario");
    }
    return library.stream().filter(s -> chosen.contains(s.id())).toList();
  }

  /**
   * How the drill's events reach an engine and its alerts come back; writes the alerts it saw to
   * {@code alertsFile}.
   */
  public interface Runner {
    LiveDrill.Result run(Path workDir, JsonLinesAlertSink alertsFile) throws Exception;

    /** Settings of this way of running that belong in the evidence (and its config hash). */
    Map<String, String> settings();
  }

  /** A drill through an engine of its own, started here on loopback. */
  public static Outcome run(Options o) throws Exception {
    return run(
        o,
        new Runner() {
          @Override
          public LiveDrill.Result run(Path workDir, JsonLinesAlertSink alertsFile)
              throws Exception {
            return LiveDrill.run(
                new LiveDrill.Plan(
                    o.seed(),
                    o.users(),
                    o.date(),
                    o.days(),
                    o.scenarios(),
                    o.playMillis(),
                    workDir,
                    o.pack()),
                List.of(alertsFile));
          }

          @Override
          public Map<String, String> settings() {
            return Map.of("transport", "pubsub-grpc-tls-loopback");
          }
        });
  }

  public static Outcome run(Options o, Runner runner) throws Exception {
    Path outDir = o.outDir().toAbsolutePath().normalize();
    Path history = o.historyFile().toAbsolutePath().normalize();
    if (Files.exists(outDir) && (!Files.isDirectory(outDir) || !isEmpty(outDir))) {
      throw new SetupException(
          outDir
              + ": already exists and is not empty; a drill writes its evidence into a new folder");
    }
    if (history.startsWith(outDir)) {
      throw new SetupException(
          history + ": the history must live outside the drill's output folder " + outDir);
    }
    SigningKey key = o.signKey() == null ? null : SigningKey.load(o.signKey());
    Files.createDirectories(outDir);

    Instant startedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Path work = Files.createTempDirectory("leakwatch-drill-");
    LiveDrill.Result result;
    try (JsonLinesAlertSink alerts = new JsonLinesAlertSink(outDir.resolve(ALERTS))) {
      result = runner.run(work, alerts);
    } finally {
      deleteRecursively(work);
    }
    Instant finishedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

    Map<String, String> settings = new TreeMap<>(settings(o));
    settings.putAll(runner.settings());
    DrillReport.Evidence evidence =
        new DrillReport.Evidence(
            EngineVersion.current(),
            o.pack().name(),
            o.pack().version(),
            o.pack().sha256(),
            configHash(settings),
            settings,
            o.seed(),
            o.scenarios().stream().map(Scenario::id).toList(),
            startedAt,
            finishedAt);
    DrillReport report = DrillReport.of(result, o.pack(), evidence);

    DrillHistory.Read past = DrillHistory.read(history);
    DrillHistory.Entry entry = DrillHistory.Entry.of(report, outDir.toString());
    List<DrillHistory.Entry> trend = new ArrayList<>(past.entries());
    trend.add(entry);
    trend.sort(Comparator.comparing(DrillHistory.Entry::finishedAt));

    EvidenceManifest.writeDurably(
        outDir.resolve(REPORT_JSON), ReportJson.render(report).getBytes(StandardCharsets.UTF_8));
    EvidenceManifest.writeDurably(
        outDir.resolve(REPORT_HTML),
        ReportHtml.render(report, trend).getBytes(StandardCharsets.UTF_8));
    EvidenceManifest.writeDurably(
        outDir.resolve(JUNIT_XML), DrillJunit.render(report).getBytes(StandardCharsets.UTF_8));
    EvidenceManifest.write(outDir, key);
    DrillHistory.append(history, entry);
    return new Outcome(report, result, past.problems());
  }

  /**
   * The drill's effective settings: what, with the same rules and engine, determines its results.
   */
  static Map<String, String> settings(Options o) {
    Map<String, String> settings = new TreeMap<>();
    settings.put("seed", Long.toString(o.seed()));
    settings.put("users", Integer.toString(o.users()));
    settings.put("date", o.date().toString());
    settings.put("days", Integer.toString(o.days()));
    settings.put("playMillis", Long.toString(o.playMillis()));
    settings.put("scenarios", String.join(",", o.scenarios().stream().map(Scenario::id).toList()));
    settings.put("rulePack", o.pack().name() + " " + o.pack().version());
    settings.put("rulePackSha256", o.pack().sha256());
    settings.put("transport", "pubsub-grpc-tls-loopback");
    return settings;
  }

  /**
   * SHA-256 over the settings as {@code key=value} lines in key order, each ending in a newline.
   */
  static String configHash(Map<String, String> settings) {
    StringBuilder canonical = new StringBuilder();
    new TreeMap<>(settings)
        .forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
