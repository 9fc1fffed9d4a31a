package io.leakwatch.cli;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.alert.ConsoleAlertSink;
import io.leakwatch.alert.JsonLinesAlertSink;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code leakwatch run --config FILE}: the engine as a long-running service, until stopped. */
final class RunCommand {
  static final Set<String> OPTIONS = Set.of("config");

  private RunCommand() {}

  static int run(Args args, PrintStream out) throws Exception {
    String file = args.text("config", null);
    if (file == null) {
      throw new Args.UsageException("run needs --config FILE");
    }
    EngineConfig config = EngineConfig.load(Path.of(file), System.getenv());
    RulePack pack = config.rules() == null ? RulePackLoader.defaultPack() : RulePackLoader.fromDirectory(config.rules());
    List<AlertSink> sinks = new ArrayList<>();
    if (config.consoleAlerts()) {
      sinks.add(new ConsoleAlertSink(out));
    }
    if (config.alertsFile() != null) {
      sinks.add(new JsonLinesAlertSink(config.alertsFile()));
    }
    EngineSettings settings = config.settings(pack, sinks);
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // SIGTERM (docker stop): finish the batch in hand, deliver its alerts, save the checkpoint, then exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopRequested.countDown();
      try {
        closed.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "leakwatch-shutdown"));
    try (LeakwatchEngine engine = LeakwatchEngine.start(settings)) {
      out.printf("Leakwatch running: %s, %d topics, rule pack %s %s (%d rules)%n", config.endpoint(), config.topics().size(),
          pack.name(), pack.version(), pack.rules().size());
      if (config.rules() != null) {
        // Edit the folder and the rules reload: compiled first, swapped only if they compile.
        engine.watchRules(config.rules(), 2_000);
      }
      stopRequested.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }
}
