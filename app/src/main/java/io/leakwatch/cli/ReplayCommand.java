package io.leakwatch.cli;

import io.leakwatch.alert.AlertJson;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.replay.JsonLinesReplay;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch replay FILE}: events exported as JSON Lines (Salesforce field names, the stream
 * in {@code channel}) through the same pipeline, alerts out as JSON Lines. How a user checks a rule
 * against real events. The replay itself is {@link JsonLinesReplay}: every refused line is reported
 * with its number and reason, the exit code is 1 if there was any, and input out of event-time
 * order is said (and sorted with {@code --sort}).
 */
@Command(
    name = "replay",
    description =
        "Run a JSON Lines file of events (channel + Salesforce fields) through the rules; alerts"
            + " out as JSON Lines. Exit 1 when a line was refused (each is named with its line"
            + " number and reason).")
final class ReplayCommand implements Callable<Integer> {
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

  @Option(
      names = "--sort",
      description =
          "order the input by EventDate before replaying (rules run on event time; an unsorted"
              + " file is replayed as it is, with a warning)")
  boolean sort;

  @Override
  public Integer call() throws Exception {
    PrintStream out = Leakwatch.root(spec).out();
    PrintStream err = Leakwatch.root(spec).err();
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(rules);
    try (OutputStream sink = outFile == null ? null : Files.newOutputStream(outFile);
        PrintStream alertsOut =
            sink == null ? out : new PrintStream(sink, true, StandardCharsets.UTF_8);
        DetectionPipeline pipeline =
            new DetectionPipeline(
                pack, OrgProfileLoader.load(profile), DetectionPipeline.Options.defaults());
        BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonLinesReplay.Summary summary =
          new JsonLinesReplay(pipeline, sort)
              .run(
                  reader,
                  alert -> alertsOut.println(AlertJson.toJson(alert)),
                  refused -> err.printf("%s:%d: %s%n", file, refused.line(), refused.reason()));
      JsonLinesReplay.describe(file.toString(), summary).forEach(err::println);
      return summary.clean() ? 0 : 1;
    }
  }
}
