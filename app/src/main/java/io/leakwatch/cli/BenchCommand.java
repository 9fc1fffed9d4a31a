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
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.TopicLog;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch bench}: the engine's hot path measured on simulated traffic. Events are encoded
 * to Avro first; the timed loop decodes each payload with its writer schema, maps it, runs it
 * through Esper on event time and hands detections to Drools, on one thread, as the detection
 * verticle does. Latency is per event, from payload to decided alerts.
 */
@Command(
    name = "bench",
    description =
        "Replay simulated events through decode → Esper → Drools and print events/s and latency.")
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

  private record Encoded(
      String topic, String eventId, String schemaId, byte[] payload, ByteString replayId) {}

  @Override
  public Integer call() throws Exception {
    Bounds.check(spec, "--events", target, 1_000, 20_000_000);
    Bounds.check(spec, "--users", users, 20, 200_000);
    PrintStream out = Leakwatch.root(spec).out();
    StringBuilder alertLines = alertsFile == null ? null : new StringBuilder();
    var injected = Scenarios.select(scenarios, null);
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(Path.of(rules));

    SimulatedOrg org = SimulatedOrg.generate(seed, users);
    OrgProfile profile = OrgProfileLoader.parse(org.profileYaml(), "simulated org profile");
    out.printf(
        "Generating %,d events (org of %,d users, seed %d, scenarios: %s)...%n",
        target, users, seed, scenarios);
    List<Encoded> events = new ArrayList<>(target);
    LocalDate day = LocalDate.of(2026, 3, 9);
    long replay = 1;
    EventSchemas schemas = EventSchemas.standard();
    while (events.size() < target) {
      if (day.getDayOfWeek().getValue() < 6) {
        // Scenarios that stage days of history would replay it out of order after the first day.
        var today =
            events.isEmpty()
                ? injected
                : injected.stream().filter(sc -> !Scenarios.needsLearnedHistory(sc)).toList();
        for (SimEvent e : Scenarios.day(org, day, today).events()) {
          if (events.size() == target) {
            break;
          }
          events.add(
              new Encoded(
                  e.topic(),
                  e.eventIdentifier(),
                  schemas.idOf(schemas.asPublished(e).getSchema()), // a new schema id at noon
                  EventSchemas.encode(schemas.asPublished(e)),
                  TopicLog.encode(replay++)));
        }
      }
      day = day.plusDays(1);
    }
    SchemaCache cache = new SchemaCache(id -> schemas.byId(id).toString());
    PayloadDecoder decoder = new PayloadDecoder(cache);

    int warmup = Math.min(events.size() / 5, 50_000);
    out.printf("Warming up on %,d events, then measuring %,d%n", warmup, events.size());
    try (DetectionPipeline warm =
        new DetectionPipeline(pack, profile, DetectionPipeline.Options.defaults())) {
      for (int i = 0; i < warmup; i++) {
        process(warm, decoder, events.get(i));
      }
    }
    long[] latencies = new long[events.size()];
    List<Long> alertLatencies = new ArrayList<>();
    long alerts = 0;
    try (DetectionPipeline pipeline =
        new DetectionPipeline(pack, profile, DetectionPipeline.Options.defaults())) {
      long start = System.nanoTime();
      for (int i = 0; i < events.size(); i++) {
        long t0 = System.nanoTime();
        List<Alert> fired = process(pipeline, decoder, events.get(i));
        long t1 = System.nanoTime();
        latencies[i] = t1 - t0;
        for (Alert alert : fired) {
          alertLatencies.add(t1 - alert.receivedNanos());
          if (alertLines != null) {
            alertLines.append(io.leakwatch.alert.AlertJson.toJson(alert)).append('\n');
          }
          alerts++;
        }
      }
      long elapsed = System.nanoTime() - start;
      Arrays.sort(latencies);
      out.printf(
          Locale.ROOT,
          "%nevents        %,d (%d dead-lettered)%n",
          events.size(),
          pipeline.stats().totalDeadLettered());
      out.printf(
          Locale.ROOT,
          "throughput    %,.0f events/s (%.2f s)%n",
          events.size() / (elapsed / 1e9),
          elapsed / 1e9);
      out.printf(
          Locale.ROOT,
          "per event     p50 %s  p99 %s  p99.9 %s  max %s%n",
          micros(pct(latencies, 50)),
          micros(pct(latencies, 99)),
          micros(pct(latencies, 99.9)),
          micros(latencies[latencies.length - 1]));
      long[] alertLat = alertLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
      out.printf(
          Locale.ROOT,
          "alerts        %d; event-to-alert p50 %s  p99 %s%n",
          alerts,
          alertLat.length == 0 ? "-" : micros(pct(alertLat, 50)),
          alertLat.length == 0 ? "-" : micros(pct(alertLat, 99)));
      out.printf("alerts by rule %s%n", pipeline.stats().alertsByRule());
      if (alertLines != null) {
        java.nio.file.Files.writeString(Path.of(alertsFile), alertLines);
        out.printf("alerts written to %s%n", alertsFile);
      }
    }
    return 0;
  }

  private static List<Alert> process(
      DetectionPipeline pipeline, PayloadDecoder decoder, Encoded e) {
    long received = System.nanoTime();
    ReceivedEvent event;
    try {
      event =
          new ReceivedEvent(
              e.topic(),
              ReplayId.of(e.replayId()),
              e.eventId(),
              e.schemaId(),
              decoder.decode(e.schemaId(), e.payload()),
              null,
              received);
    } catch (PayloadDecoder.MalformedPayloadException | SchemaCache.UnknownSchemaException ex) {
      event =
          new ReceivedEvent(
              e.topic(),
              ReplayId.of(e.replayId()),
              e.eventId(),
              e.schemaId(),
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

  private static String micros(long nanos) {
    return String.format(Locale.ROOT, "%.1f µs", nanos / 1000.0);
  }
}
