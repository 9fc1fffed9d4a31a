package io.leakwatch.cli;

import io.leakwatch.api.DrillLauncher;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.config.OrgConfig;
import io.leakwatch.drill.Drill;
import io.leakwatch.drill.DrillReport;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.scenario.Scenario;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code POST /drills} runs in the {@code run} process: a drill of an org's rules (its rules
 * folder, or the built-in pack) against the built-in simulated org, over the real Pub/Sub path on
 * loopback, one at a time. The evidence lands in {@code STATE/drills/<id>/} with the drill history
 * beside it, exactly as {@code leakwatch drill} writes it, so {@code drill verify} checks it.
 */
final class ApiDrills implements DrillLauncher, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiDrills.class);
  private final EngineConfig config;
  private final Path home;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "leakwatch-api-drill"));
  private final Map<String, DrillRun> runs = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();

  ApiDrills(EngineConfig config) {
    this.config = config;
    this.home = config.state().resolve("drills");
  }

  @Override
  public synchronized DrillRun start(DrillRequest request) {
    runs.values().stream()
        .filter(r -> r.state().equals("running"))
        .findFirst()
        .ifPresent(
            r -> {
              throw new IllegalStateException(
                  "drill " + r.id() + " is still running; one drill at a time");
            });
    OrgConfig org =
        request.org() == null
            ? config.orgs().get(0)
            : config.orgs().stream()
                .filter(o -> o.name().equals(request.org()))
                .findFirst()
                .orElseThrow(
                    () -> new IllegalArgumentException("no org named '" + request.org() + "'"));
    List<Scenario> scenarios =
        Drill.select(request.scenarios().isEmpty() ? "all" : String.join(",", request.scenarios()));
    RulePack pack =
        org.rules() == null
            ? RulePackLoader.defaultPack()
            : RulePackLoader.fromDirectory(org.rules());
    String id = "drill-" + Instant.now().toEpochMilli() + "-" + next.incrementAndGet();
    DrillRun running =
        new DrillRun(
            id, org.name(), "running", Instant.now(), null, Map.of("scenarios", scenarios.size()));
    runs.put(id, running);
    Drill.Options options =
        new Drill.Options(
            7,
            500,
            LocalDate.of(2026, 3, 10),
            1,
            0,
            scenarios,
            pack,
            home.resolve(id),
            home.resolve("history.jsonl"),
            null);
    worker.submit(() -> finish(running, options));
    return running;
  }

  private void finish(DrillRun running, Drill.Options options) {
    try {
      DrillReport report = Drill.run(options).report();
      DrillReport.Figures f = report.figures();
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("scenarios", f.scenarios());
      result.put("passed", f.passed());
      result.put("detected", f.detected());
      result.put("falsePositives", f.falsePositives());
      result.put("timeToDetectP50Millis", f.timeToDetectP50Millis());
      result.put("timeToDetectMaxMillis", f.timeToDetectMaxMillis());
      result.put("rulePackSha256", options.pack().sha256());
      result.put(
          "missed",
          report.scenarios().stream()
              .filter(r -> !r.passed())
              .map(DrillReport.ScenarioRow::id)
              .toList());
      result.put("evidence", options.outDir().toString());
      runs.put(
          running.id(),
          new DrillRun(
              running.id(),
              running.org(),
              report.allPassed() ? "passed" : "failed",
              running.started(),
              Instant.now(),
              result));
    } catch (Exception e) {
      LOG.error("drill {} of org {} could not run: {}", running.id(), running.org(), e.toString());
      runs.put(
          running.id(),
          new DrillRun(
              running.id(),
              running.org(),
              "error",
              running.started(),
              Instant.now(),
              Map.of("error", e.getClass().getSimpleName() + ": " + e.getMessage())));
    }
  }

  @Override
  public List<DrillRun> list() {
    List<DrillRun> all = new ArrayList<>(runs.values());
    all.sort(java.util.Comparator.comparing(DrillRun::started).thenComparing(DrillRun::id));
    return all;
  }

  @Override
  public Optional<DrillRun> find(String id) {
    return Optional.ofNullable(runs.get(id));
  }

  /** Lets a running drill finish writing its evidence (up to two minutes), then stops. */
  @Override
  public void close() throws InterruptedException {
    worker.shutdown();
    if (!worker.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES)) {
      worker.shutdownNow();
    }
  }
}
