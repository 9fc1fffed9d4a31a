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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code leakwatch replay FILE}: events exported as JSON Lines (Salesforce field names, the stream
 * in {@code channel}) through the same pipeline, alerts out as JSON Lines. How a user checks a rule
 * against real events. The replay itself is {@link JsonLinesReplay}: every refused line is reported
 * with its number and reason, and the exit code is 1 if there was any. {@code --sort} orders the
 * input by EventDate first.
 */
final class ReplayCommand {
  static final Set<String> OPTIONS = Set.of("profile", "rules", "out");

  private ReplayCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
    List<String> rest = new ArrayList<>(argv);
    boolean sort = rest.remove("--sort");
    Args args = new Args(rest, OPTIONS, 1);
    Path file = Path.of(args.positional(0, "the JSON Lines file of events"));
    String profile = args.text("profile", null);
    if (profile == null) {
      throw new Args.UsageException("replay needs --profile FILE (the org profile the rules read)");
    }
    String rules = args.text("rules", null);
    RulePack pack =
        rules == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(Path.of(rules));
    String outFile = args.text("out", null);
    try (OutputStream sink = outFile == null ? null : Files.newOutputStream(Path.of(outFile));
        PrintStream alertsOut =
            sink == null ? out : new PrintStream(sink, true, StandardCharsets.UTF_8);
        DetectionPipeline pipeline =
            new DetectionPipeline(
                pack,
                OrgProfileLoader.load(Path.of(profile)),
                DetectionPipeline.Options.defaults());
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
