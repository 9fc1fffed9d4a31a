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
import java.util.Set;

/**
 * {@code leakwatch replay FILE}: events exported as JSON Lines (Salesforce field names, the stream
 * in {@code channel}) through the same pipeline, alerts out as JSON Lines. How a user checks a rule
 * against real events. A line that cannot be read is reported with its number and counted, never
 * skipped silently; the exit code is 1 if there was any.
 */
final class ReplayCommand {
  static final Set<String> OPTIONS = Set.of("profile", "rules", "out");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReplayCommand() {}

  static int run(Args args, PrintStream out, PrintStream err) throws Exception {
    Path file = Path.of(args.positional(0, "the JSON Lines file of events"));
    String profile = args.text("profile", null);
    if (profile == null) {
      throw new Args.UsageException("replay needs --profile FILE (the org profile the rules read)");
    }
    String rules = args.text("rules", null);
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(Path.of(rules));
    String outFile = args.text("out", null);
    long events = 0;
    long rejected = 0;
    long alerts = 0;
    try (OutputStream sink = outFile == null ? null : Files.newOutputStream(Path.of(outFile));
        PrintStream alertsOut =
            sink == null ? out : new PrintStream(sink, true, StandardCharsets.UTF_8);
        DetectionPipeline pipeline =
            new DetectionPipeline(
                pack,
                OrgProfileLoader.load(Path.of(profile)),
                DetectionPipeline.Options.defaults());
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
