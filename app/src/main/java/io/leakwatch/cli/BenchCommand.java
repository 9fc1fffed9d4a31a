package io.leakwatch.cli;

import com.google.protobuf.ByteString;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PayloadDecoder;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RuleMetadata;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.Severity;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.TopicLog;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SpooledDay;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch bench}: the engine's hot path measured on simulated traffic, against a bare
 * engine in the same process. Each simulated day is generated a block of people at a time, encoded
 * to Avro and spooled to disk outside the timed loop, then read back a quarter hour of event time
 * at a time (so a three-day replay of a 100,000-user org fits a 1 GiB heap beside the engine); the
 * timed loop decodes each payload with its writer schema, maps it, runs it through Esper on event
 * time and hands detections to Drools, on one thread, as the detection verticle does. Latency is
 * per event, from payload to decided alerts.
 *
 * <p>The bare pack is the chosen pack's shared event types with one statement that matches nothing:
 * decode and map cost the same, so the ratio of the two rates is what the rules cost. The retained
 * heap is what the engine's state holds after a full GC at the end of the run.
 */
@Command(
    name = "bench",
    description =
        "Replay simulated events through decode → Esper → Drools, with the chosen pack and with a"
            + " bare engine, and print events/s, their ratio, latency and retained heap.")
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--events",
      defaultValue = "200000",
      description = "events to measure (1000 to 20000000)")
  int target;

  @Option(names = "--seed", defaultValue = "7", description = "seed of the simulated org")
  long seed;

  @Option(names = "--users", defaultValue = "5000", description = "users in the org (20 to 200000)")
  int users;

  @Option(
      names = "--rules",
      paramLabel = "DIR",
      description = "rule pack folder (default: the built-in pack)")
  String rules;

  @Option(
      names = "--scenarios",
      defaultValue = "all",
      paramLabel = "all|none|ID,ID",
      description = "scenarios injected; none measures false positives on background traffic alone")
  String scenarios;

  @Option(names = "--alerts", paramLabel = "FILE", description = "write the alerts as JSON Lines")
  String alertsFile;

  @Option(
      names = "--repeat",
      defaultValue = "1",
      description = "measure N times (1 to 15) and print the median of each figure")
  int repeat;

  @Option(
      names = "--rule-count",
      paramLabel = "N",
      description =
          "also measure the pack grown to N rules (16 to 500) by generated variants of its rules"
              + " with other thresholds, and print its rate beside the pack's")
  Integer ruleCount;

  @Option(
      names = "--orgs",
      paramLabel = "N",
      description =
          "also run N orgs' pipelines side by side in this process (2 to 200), each seeing the same"
              + " events, and print their total events/s and engine state per org")
  Integer orgs;

  @Option(
      names = "--compare",
      paramLabel = "DIR",
      description =
          "also measure this rule pack folder over the same events, interleaved with the pack a"
              + " quarter hour at a time, and print its CPU time per event beside the pack's and"
              + " the rules whose alert counts differ (is a change to the rules faster, and does it"
              + " detect the same?)")
  String compare;

  @Option(
      names = "--no-bare",
      description = "skip the bare engine's run (halves the time; no ratio is printed)")
  boolean noBare;

  @Option(
      names = "--transport",
      defaultValue = "direct",
      paramLabel = "direct|grpc",
      description =
          "direct: payloads straight into the detection pipeline on one thread; grpc: the"
              + " simulator's Pub/Sub server and a whole engine over loopback TLS, flow-controlled"
              + " as Salesforce (events/s end to end)")
  String transport;

  /** One event as the Pub/Sub API delivers it: topic, ids and the Avro payload. */
  private record Encoded(SpooledDay.Event event, ByteString replayId) {}

  /** What one pass over the events measured. */
  private record Run(
      long events,
      long deadLettered,
      double seconds,
      double cpuSeconds,
      long[] sortedLatencies,
      long[] sortedAlertLatencies,
      long alerts,
      java.util.Map<String, Long> alertsByRule,
      double retainedMiB,
      List<String> slowest) {
    double rate() {
      return events / seconds;
    }

    Run withRetainedMiB(double mib) {
      return new Run(
          events,
          deadLettered,
          seconds,
          cpuSeconds,
          sortedLatencies,
          sortedAlertLatencies,
          alerts,
          alertsByRule,
          mib,
          slowest);
    }

    /** CPU time of the measuring thread per event: what a busy machine inflates least. */
    double cpuMicrosPerEvent() {
      return cpuSeconds * 1e6 / events;
    }
  }

  private PrintStream out;
  private SimulatedOrg org;
  private OrgProfile profile;
  private EventSchemas schemas;
  private List<io.leakwatch.sim.scenario.Scenario> injected;
  private Path spool;
  private final List<SpooledDay> days = new ArrayList<>();
  private final List<LocalDate> dates = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Bounds.check(spec, "--events", target, 1_000, 20_000_000);
    Bounds.check(spec, "--users", users, 20, 200_000);
    Bounds.check(spec, "--repeat", repeat, 1, 15);
    if (ruleCount != null) {
      Bounds.check(spec, "--rule-count", ruleCount, 16, 500);
    }
    if (orgs != null) {
      Bounds.check(spec, "--orgs", orgs, 2, 200);
    }
    out = Leakwatch.root(spec).out();
    if (!transport.equals("direct") && !transport.equals("grpc")) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--transport: expected direct or grpc, got '" + transport + "'");
    }
    injected = Scenarios.select(scenarios, null);
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(Path.of(rules));
    RulePack bare = bare(pack);
    RulePack grown = ruleCount == null ? null : RuleVariants.grow(pack, ruleCount);
    org = SimulatedOrg.generate(seed, users);
    profile = OrgProfileLoader.parse(org.profileYaml(), "simulated org profile");
    schemas = EventSchemas.standard();
    out.printf(
        "%,d events per run (org of %,d users, seed %d, scenarios: %s), generated a day at a time"
            + " and spooled to disk, read a quarter hour at a time outside the timed loop; %d"
            + " run(s)%n",
        target, users, seed, scenarios, repeat);

    spool = java.nio.file.Files.createTempDirectory("leakwatch-bench-");
    try {
      if (transport.equals("grpc")) {
        overTheWire(pack);
        return 0;
      }
      warmUp(pack);
      if (compare != null) {
        warmUp(RulePackLoader.fromDirectory(Path.of(compare)));
      }
      RulePack compared = compare == null ? null : RulePackLoader.fromDirectory(Path.of(compare));
      List<Run> packRuns = new ArrayList<>();
      List<Run> bareRuns = new ArrayList<>();
      List<Run> grownRuns = new ArrayList<>();
      List<Run> comparedRuns = new ArrayList<>();
      for (int r = 1; r <= repeat; r++) {
        StringBuilder alertLines = alertsFile != null && r == 1 ? new StringBuilder() : null;
        List<RulePack> lanes = new ArrayList<>();
        lanes.add(pack);
        if (!noBare) {
          lanes.add(bare);
        }
        if (grown != null) {
          lanes.add(grown);
        }
        if (compared != null) {
          lanes.add(compared);
        }
        List<Run> runs = measure(lanes, alertLines);
        Run p = runs.get(0);
        packRuns.add(p);
        int next = 1;
        if (!noBare) {
          Run b = runs.get(next++);
          bareRuns.add(b);
          out.printf(Locale.ROOT, "run %d bare  %,.0f events/s%n", r, b.rate());
        }
        out.printf(Locale.ROOT, "run %d pack  %,.0f events/s%n", r, p.rate());
        if (grown != null) {
          Run g = runs.get(next++);
          grownRuns.add(g);
          out.printf(
              Locale.ROOT, "run %d %d rules  %,.0f events/s%n", r, grown.rules().size(), g.rate());
        }
        if (compared != null) {
          Run c = runs.get(next++);
          comparedRuns.add(c);
          out.printf(Locale.ROOT, "run %d compared  %,.0f events/s%n", r, c.rate());
        }
        if (alertLines != null) {
          java.nio.file.Files.writeString(Path.of(alertsFile), alertLines);
        }
      }
      report(packRuns, bareRuns);
      if (grown != null) {
        reportGrown(pack, grown, packRuns, grownRuns);
      }
      if (compared != null) {
        reportCompared(packRuns, comparedRuns);
      }
      if (orgs != null) {
        measureOrgs(pack, orgs);
      }
      if (alertsFile != null) {
        out.printf("alerts written to %s%n", alertsFile);
      }
    } finally {
      days.forEach(SpooledDay::close);
      try (var left = java.nio.file.Files.walk(spool)) {
        for (Path file : left.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.deleteIfExists(file);
        }
      }
    }
    return 0;
  }

  /** {@code --transport grpc}: each run is a whole engine catching up on the retained events. */
  private void overTheWire(RulePack pack) throws Exception {
    // The warm-up goes over the wire too: TLS, gRPC, the verticles and the merge are what is
    // measured, not only the pipeline.
    int warmup = warmUpEvents();
    out.printf("Warming up on %,d events over gRPC%n", warmup);
    catchUp(pack, warmup, "grpc-warm-up");
    List<WireBench.Run> runs = new ArrayList<>();
    for (int r = 1; r <= repeat; r++) {
      WireBench.Run run = catchUp(pack, target, "grpc-" + r);
      runs.add(run);
      out.printf(
          Locale.ROOT,
          "run %d grpc  %,.0f events/s (%,d events in %.2f s; %.2f s from engine start);"
              + " merge held %s, waited %s s, %d out of order%n",
          r,
          run.rate(),
          run.events(),
          run.seconds(),
          run.secondsFromStart(),
          run.mergeHolds(),
          run.mergeWaitSeconds(),
          run.outOfOrder());
    }
    WireBench.Run first = runs.get(0);
    String of = repeat > 1 ? " (median of " + repeat + ")" : "";
    double[] rates = runs.stream().mapToDouble(WireBench.Run::rate).sorted().toArray();
    int n = rates.length;
    double median = n % 2 == 1 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
    out.printf(
        Locale.ROOT, "%nevents        %,d (%d dead-lettered)%n", target, first.deadLettered());
    out.printf(
        Locale.ROOT,
        "over gRPC     %,.0f events/s%s end to end: simulator's Pub/Sub server → loopback TLS →"
            + " subscriptions (at most %d outstanding per topic) → event-time merge → Esper →"
            + " Drools → alert sink%n",
        median,
        of,
        io.leakwatch.pubsub.PubSubSubscriber.MAX_OUTSTANDING);
    out.printf("alerts        %d%n", first.alerts());
    out.printf("alerts by rule %s%n", first.alertsByRule());
  }

  private static List<SpooledDay.Event> events(List<Encoded> slice) {
    List<SpooledDay.Event> events = new ArrayList<>(slice.size());
    slice.forEach(e -> events.add(e.event()));
    return events;
  }

  /** The chosen pack's event types and one statement that never matches: the engine's floor. */
  static RulePack bare(RulePack pack) {
    RuleDefinition noop =
        new RuleDefinition(
            new RuleMetadata(
                "BARE-000", "no-op", Severity.LOW, "matches nothing", List.of(), Map.of()),
            "bare",
            new RuleDefinition.Source(
                "bare/detect.epl",
                "@Name('detection') select UserId as principal, 0L as count, '' as objects,"
                    + " EventDate as firstTime, EventDate as lastTime, EventIdentifier as evidence"
                    + " from ApiEvent(EventDate < 0)"),
            // An empty rule base, said as DRL so Drools has a package to build and nothing to warn.
            new RuleDefinition.Source("bare/decide.drl", "package leakwatch.rules.bare;\n"));
    return new RulePack(
        "bare", "bare", pack.version(), "", pack.shared(), List.of(), List.of(noop));
  }

  /** A whole engine catching up on the first {@code events} of the org over gRPC. */
  private WireBench.Run catchUp(RulePack pack, int events, String workDir) throws Exception {
    return WireBench.measure(
        pack,
        profile,
        org.orgId(),
        schemas,
        sink -> forEachDay(events, slice -> sink.accept(events(slice))),
        spool.resolve(workDir),
        java.time.Duration.ofMinutes(10).plusMillis(events / 10));
  }

  /** A fifth of the measured events, at most 50,000. */
  private int warmUpEvents() {
    return Math.min(target / 5, 50_000);
  }

  /** The JIT's first minutes, spent on a throw-away pipeline so every run measures warm code. */
  private void warmUp(RulePack pack) throws Exception {
    int warmup = warmUpEvents();
    out.printf("Warming up on %,d events%n", warmup);
    try (DetectionPipeline warm =
        new DetectionPipeline(pack, profile, DetectionPipeline.Options.defaults())) {
      PayloadDecoder decoder =
          new PayloadDecoder(new SchemaCache(id -> schemas.byId(id).toString()));
      forEachDay(
          warmup,
          day -> {
            for (Encoded e : day) {
              process(warm, decoder, e);
            }
          });
    }
  }

  /**
   * One pass over the events through each pack's own pipeline, interleaved a quarter hour at a time
   * (the pack going first in turn), so a machine whose load changes during the run slows every pack
   * alike and their ratio holds. Runs come back in the order of {@code packs}; the alerts of the
   * first are written to {@code alertLines}.
   */
  private List<Run> measure(List<RulePack> packs, StringBuilder alertLines) throws Exception {
    List<Lane> lanes = new ArrayList<>();
    try {
      for (RulePack pack : packs) {
        lanes.add(new Lane(pack, lanes.isEmpty() ? alertLines : null));
      }
      int[] turn = {0};
      forEachDay(
          target,
          day -> {
            for (int i = 0; i < lanes.size(); i++) {
              lanes.get((turn[0] + i) % lanes.size()).run(day);
            }
            turn[0]++;
          });
      // The day's events are gone; what each pipeline leaves behind when closed is its state.
      List<Run> runs = new ArrayList<>();
      for (Lane lane : lanes) {
        runs.add(lane.finish());
      }
      double heap = usedHeapMiBAfterGc();
      for (int i = lanes.size() - 1; i >= 0; i--) {
        lanes.remove(i).close();
        double after = usedHeapMiBAfterGc();
        runs.set(i, runs.get(i).withRetainedMiB(Math.max(0, heap - after)));
        heap = after;
      }
      return runs;
    } finally {
      for (Lane lane : lanes) {
        lane.close();
      }
    }
  }

  /**
   * One pack's pipeline in a measured pass, and what it measured. Each lane runs on a thread of its
   * own, as each org does in the engine, and only while the measuring thread waits for it: what
   * Esper keeps per thread goes when the lane closes, so the heap that closing frees is the lane's.
   */
  private final class Lane implements AutoCloseable {
    private final java.util.concurrent.ExecutorService thread;
    private final DetectionPipeline pipeline;
    private final PayloadDecoder decoder =
        new PayloadDecoder(new SchemaCache(id -> schemas.byId(id).toString()));
    private final StringBuilder alertLines;
    private long[] latencies = new long[target];
    private final List<Long> alertLatencies = new ArrayList<>();
    private final SlowestEvents slowest = new SlowestEvents(5);
    private final java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    private long events;
    private long alerts;
    private long nanos;
    private long cpuNanos;
    private boolean closed;

    Lane(RulePack pack, StringBuilder alertLines) throws Exception {
      this.thread =
          java.util.concurrent.Executors.newSingleThreadExecutor(
              task -> new Thread(task, "bench-" + pack.name()));
      this.pipeline =
          onLane(() -> new DetectionPipeline(pack, profile, DetectionPipeline.Options.defaults()));
      this.alertLines = alertLines;
    }

    private <T> T onLane(java.util.concurrent.Callable<T> task) throws Exception {
      try {
        return thread.submit(task).get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof Exception cause) {
          throw cause;
        }
        throw e;
      }
    }

    void run(List<Encoded> slice) throws Exception {
      onLane(
          () -> {
            runHere(slice);
            return null;
          });
    }

    private void runHere(List<Encoded> slice) {
      long start = System.nanoTime();
      long startCpu = threads.getCurrentThreadCpuTime();
      for (Encoded e : slice) {
        long t0 = System.nanoTime();
        List<Alert> fired = process(pipeline, decoder, e);
        long t1 = System.nanoTime();
        latencies[(int) events++] = t1 - t0;
        slowest.offer(t1 - t0, e.event());
        for (Alert alert : fired) {
          alertLatencies.add(t1 - alert.receivedNanos());
          if (alertLines != null) {
            alertLines.append(io.leakwatch.alert.AlertJson.toJson(alert)).append('\n');
          }
          alerts++;
        }
      }
      nanos += System.nanoTime() - start;
      cpuNanos += threads.getCurrentThreadCpuTime() - startCpu;
    }

    /** What this lane measured; its own buffers are let go so they do not count as state. */
    Run finish() {
      long[] sorted = Arrays.copyOf(latencies, (int) events);
      Arrays.sort(sorted);
      latencies = null;
      return new Run(
          events,
          pipeline.stats().totalDeadLettered(),
          nanos / 1e9,
          cpuNanos / 1e9,
          sorted,
          alertLatencies.stream().mapToLong(Long::longValue).sorted().toArray(),
          alerts,
          new java.util.TreeMap<>(pipeline.stats().alertsByRule()),
          0,
          slowest.describe());
    }

    @Override
    public void close() throws Exception {
      if (!closed) {
        closed = true;
        try {
          onLane(
              () -> {
                pipeline.close();
                return null;
              });
        } finally {
          thread.shutdown();
          thread.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        }
      }
    }
  }

  private interface DayConsumer {
    void accept(List<Encoded> slice) throws Exception;
  }

  /**
   * Hands over weekday after weekday of the simulated org, a quarter hour of event time at a time,
   * until {@code limit} events have been handed over. Each day is generated a block of people at a
   * time and spooled to disk as Avro payloads the first time a run needs it (so a three-day replay
   * of a 100,000-user org holds one quarter hour of payloads, not three days of records); later
   * runs read the same spooled days. Scenarios that stage days of history are injected on the first
   * day only: later days would replay history out of order.
   */
  private void forEachDay(long limit, DayConsumer consumer) throws Exception {
    long[] replay = {1};
    long[] handed = {0};
    for (int d = 0; handed[0] < limit; d++) {
      SpooledDay day = day(d);
      day.forEachSlice(
          slice -> {
            List<Encoded> encoded = new ArrayList<>(slice.size());
            for (SpooledDay.Event e : slice) {
              if (handed[0] + encoded.size() == limit) {
                break;
              }
              encoded.add(new Encoded(e, TopicLog.encode(replay[0]++)));
            }
            handed[0] += encoded.size();
            if (!encoded.isEmpty()) {
              consumer.accept(encoded);
            }
          });
    }
  }

  /** The {@code index}-th weekday from 9 March 2026, spooled on first use. */
  private SpooledDay day(int index) throws Exception {
    while (days.size() <= index) {
      LocalDate date =
          days.isEmpty() ? LocalDate.of(2026, 3, 9) : nextWeekday(dates.get(dates.size() - 1));
      var today =
          days.isEmpty()
              ? injected
              : injected.stream().filter(sc -> !Scenarios.needsLearnedHistory(sc)).toList();
      SpooledDay day = SpooledDay.in(spool.resolve(date.toString()), schemas);
      day.addBackground(new TrafficGenerator(org), org.people().size(), date);
      day.addAll(Scenarios.staged(org, date, today).events());
      days.add(day);
      dates.add(date);
    }
    return days.get(index);
  }

  private static LocalDate nextWeekday(LocalDate date) {
    LocalDate next = date.plusDays(1);
    while (next.getDayOfWeek().getValue() >= 6) {
      next = next.plusDays(1);
    }
    return next;
  }

  private void report(List<Run> packRuns, List<Run> bareRuns) {
    Run first = packRuns.get(0);
    String of = repeat > 1 ? " (median of " + repeat + ")" : "";
    out.printf(
        Locale.ROOT,
        "%nevents        %,d (%d dead-lettered)%n",
        first.events(),
        first.deadLettered());
    double packRate = median(packRuns, Run::rate);
    out.printf(
        Locale.ROOT,
        "throughput    %,.0f events/s%s (%.2f s)%n",
        packRate,
        of,
        median(packRuns, Run::seconds));
    double packCpu = median(packRuns, Run::cpuMicrosPerEvent);
    out.printf(
        Locale.ROOT, "cpu per event %.1f µs of the measuring thread's CPU time%s%n", packCpu, of);
    if (!bareRuns.isEmpty()) {
      double bareRate = median(bareRuns, Run::rate);
      double bareCpu = median(bareRuns, Run::cpuMicrosPerEvent);
      out.printf(
          Locale.ROOT,
          "bare engine   %,.0f events/s%s; cpu per event %.1f µs%n",
          bareRate,
          of,
          bareCpu);
      out.printf(
          Locale.ROOT,
          "pack / bare   %.2f (by CPU time per event: %.2f)%n",
          packRate / bareRate,
          bareCpu / packCpu);
    }
    out.printf(
        Locale.ROOT,
        "per event     p50 %s  p99 %s  p99.9 %s  max %s%s%n",
        micros(median(packRuns, r -> pct(r.sortedLatencies(), 50))),
        micros(median(packRuns, r -> pct(r.sortedLatencies(), 99))),
        micros(median(packRuns, r -> pct(r.sortedLatencies(), 99.9))),
        micros(median(packRuns, r -> r.sortedLatencies()[r.sortedLatencies().length - 1])),
        of);
    out.printf(
        Locale.ROOT,
        "alerts        %d; event-to-alert p50 %s  p99 %s%n",
        first.alerts(),
        first.sortedAlertLatencies().length == 0
            ? "-"
            : micros(pct(first.sortedAlertLatencies(), 50)),
        first.sortedAlertLatencies().length == 0
            ? "-"
            : micros(pct(first.sortedAlertLatencies(), 99)));
    out.printf("alerts by rule %s%n", first.alertsByRule());
    out.printf("slowest events (first run) %s%n", String.join("; ", first.slowest()));
    out.printf(
        Locale.ROOT,
        "retained heap %.1f MiB engine state after a full GC%s%s%n",
        median(packRuns, Run::retainedMiB),
        bareRuns.isEmpty()
            ? ""
            : String.format(
                Locale.ROOT, " (bare engine %.1f MiB)", median(bareRuns, Run::retainedMiB)),
        of);
  }

  /**
   * Orgs per node: {@code n} pipelines (each its own Esper runtime and Drools session, as each org
   * of a node has) fed the same events in turn on one thread, so the figures are what one detection
   * thread and one heap hold. Each org's Vert.x instance and streams are not counted.
   */
  private void measureOrgs(RulePack pack, int n) throws Exception {
    PayloadDecoder decoder = new PayloadDecoder(new SchemaCache(id -> schemas.byId(id).toString()));
    double before = usedHeapMiBAfterGc();
    List<DetectionPipeline> pipelines = new ArrayList<>();
    long[] done = {0, 0}; // events, timed nanos
    try {
      for (int i = 0; i < n; i++) {
        pipelines.add(new DetectionPipeline(pack, profile, DetectionPipeline.Options.defaults()));
      }
      forEachDay(
          target,
          day -> {
            long start = System.nanoTime();
            for (Encoded e : day) {
              for (DetectionPipeline pipeline : pipelines) {
                process(pipeline, decoder, e);
                done[0]++;
              }
            }
            done[1] += System.nanoTime() - start;
          });
      double retained = Math.max(0, usedHeapMiBAfterGc() - before);
      long alerts = 0;
      for (DetectionPipeline pipeline : pipelines) {
        alerts +=
            pipeline.stats().alertsByRule().values().stream().mapToLong(Long::longValue).sum();
      }
      out.printf(
          Locale.ROOT,
          "%d orgs       %,.0f events/s in total on one thread (%,d events each); engine state"
              + " %.1f MiB, %.1f MiB per org; %d alerts%n",
          n,
          done[0] / (done[1] / 1e9),
          done[0] / n,
          retained,
          retained / n,
          alerts);
    } finally {
      for (DetectionPipeline pipeline : pipelines) {
        pipeline.close();
      }
    }
  }

  /** Issue 12 item 6: how much throughput the pack keeps when it holds more rules. */
  private void reportGrown(RulePack pack, RulePack grown, List<Run> packRuns, List<Run> grownRuns) {
    String of = repeat > 1 ? " (median of " + repeat + ")" : "";
    double packRate = median(packRuns, Run::rate);
    double grownRate = median(grownRuns, Run::rate);
    out.printf(
        Locale.ROOT,
        "%d rules      %,.0f events/s%s, %.2f of the pack's %d rules (by CPU time per event: %.2f);"
            + " per event p99 %s  p99.9 %s; %d alerts; retained heap %.1f MiB%n",
        grown.rules().size(),
        grownRate,
        of,
        grownRate / packRate,
        pack.rules().size(),
        median(packRuns, Run::cpuMicrosPerEvent) / median(grownRuns, Run::cpuMicrosPerEvent),
        micros(median(grownRuns, r -> pct(r.sortedLatencies(), 99))),
        micros(median(grownRuns, r -> pct(r.sortedLatencies(), 99.9))),
        grownRuns.get(0).alerts(),
        median(grownRuns, Run::retainedMiB));
  }

  /** {@code --compare}: another pack over the same events, and whether it detects the same. */
  private void reportCompared(List<Run> packRuns, List<Run> comparedRuns) {
    String of = repeat > 1 ? " (median of " + repeat + ")" : "";
    double packCpu = median(packRuns, Run::cpuMicrosPerEvent);
    double comparedCpu = median(comparedRuns, Run::cpuMicrosPerEvent);
    out.printf(
        Locale.ROOT,
        "compared      %s: %,.0f events/s%s; cpu per event %.1f µs, %.2f of the pack's %.1f µs;"
            + " per event p99.9 %s  max %s; retained heap %.1f MiB%n",
        compare,
        median(comparedRuns, Run::rate),
        of,
        comparedCpu,
        comparedCpu / packCpu,
        packCpu,
        micros(median(comparedRuns, r -> pct(r.sortedLatencies(), 99.9))),
        micros(median(comparedRuns, r -> r.sortedLatencies()[r.sortedLatencies().length - 1])),
        median(comparedRuns, Run::retainedMiB));
    java.util.Map<String, Long> ours = packRuns.get(0).alertsByRule();
    java.util.Map<String, Long> theirs = comparedRuns.get(0).alertsByRule();
    java.util.TreeSet<String> rules = new java.util.TreeSet<>(ours.keySet());
    rules.addAll(theirs.keySet());
    List<String> differ = new ArrayList<>();
    for (String rule : rules) {
      long a = ours.getOrDefault(rule, 0L);
      long b = theirs.getOrDefault(rule, 0L);
      if (a != b) {
        differ.add(rule + " " + a + " -> " + b);
      }
    }
    out.printf(
        "compared alerts %s%n",
        differ.isEmpty() ? "the same count for every rule" : String.join(", ", differ));
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> figure) {
    double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  /** Heap in use after a full collection, in MiB; asked twice since one GC may leave garbage. */
  private static double usedHeapMiBAfterGc() {
    java.lang.management.MemoryMXBean memory =
        java.lang.management.ManagementFactory.getMemoryMXBean();
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  private static List<Alert> process(
      DetectionPipeline pipeline, PayloadDecoder decoder, Encoded e) {
    long received = System.nanoTime();
    ReceivedEvent event;
    try {
      event =
          new ReceivedEvent(
              e.event().topic(),
              ReplayId.of(e.replayId()),
              e.event().eventIdentifier(),
              e.event().schemaId(),
              decoder.decode(e.event().schemaId(), e.event().payload()),
              null,
              received);
    } catch (PayloadDecoder.MalformedPayloadException | SchemaCache.UnknownSchemaException ex) {
      event =
          new ReceivedEvent(
              e.event().topic(),
              ReplayId.of(e.replayId()),
              e.event().eventIdentifier(),
              e.event().schemaId(),
              null,
              ex.getMessage(),
              received);
    }
    return pipeline.process(event, 0);
  }

  private static long pct(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String micros(double nanos) {
    return String.format(Locale.ROOT, "%.1f µs", nanos / 1000.0);
  }
}
