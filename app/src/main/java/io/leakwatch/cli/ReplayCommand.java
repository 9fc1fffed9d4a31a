package io.leakwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.ruletest.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch replay FILE}: events exported as JSON Lines (Salesforce field names, the stream
 * in {@code channel}) through the same pipeline, alerts out as JSON Lines. How a user checks a rule
 * against real events. A line that cannot be read is reported with its number and counted, never
 * skipped silently; the exit code is 1 if there was any.
 */
@Command(
    name = "replay",
    description =
        "Run a JSON Lines file of events (channel + Salesforce fields) through the rules; alerts"
            + " out as JSON Lines. Exit 1 when a line was rejected or dead-lettered.")
final class ReplayCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "the JSON Lines file of events")
  Path file;

  @Option(
      names = "--profile",
      required = true,
      paramLabel = "FILE",
      description = "the org profile the rules read")
  Path profile;

  @Option(
      names = "--rules",
      paramLabel = "DIR",
      description = "rule pack folder (default: the built-in pack)")
  Path rules;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "write the alerts here (default: standard output)")
  Path outFile;

  @Override
  public Integer call() throws Exception {
    PrintStream out = Leakwatch.root(spec).out();
    PrintStream err = Leakwatch.root(spec).err();
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(rules);
    long events = 0;
    long rejected = 0;
    long alerts = 0;
    try (OutputStream sink = outFile == null ? null : Files.newOutputStream(outFile);
        PrintStream alertsOut =
            sink == null ? out : new PrintStream(sink, true, StandardCharsets.UTF_8);
        DetectionPipeline pipeline =
            new DetectionPipeline(
                pack, OrgProfileLoader.load(profile), DetectionPipeline.Options.defaults());
        BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line; (line = reader.readLine()) != null; ) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        List<Alert> fired;
        try {
          EventJson event = EventJson.parse(JSON.readTree(line));
          fired = pipeline.process(event.channel(), event.fields(), 0);
          events++;
        } catch (IOException | IllegalArgumentException e) {
          rejected++;
          err.printf(
              "%s:%d: %s%n",
              file, lineNumber, e instanceof IOException ? "not valid JSON" : e.getMessage());
          continue;
        }
        alerts += write(fired, alertsOut);
      }
      alerts += write(pipeline.advanceTo(pipeline.eventTime() + 3 * 3_600_000L), alertsOut);
      err.printf(
          "replayed %d events from %s: %d alerts, %d lines rejected, %d dead-lettered%n",
          events, file, alerts, rejected, pipeline.stats().totalDeadLettered());
      return rejected == 0 && pipeline.stats().totalDeadLettered() == 0 ? 0 : 1;
    }
  }

  private static int write(List<Alert> alerts, PrintStream out) {
    alerts.forEach(a -> out.println(AlertJson.toJson(a)));
    return alerts.size();
  }
}
