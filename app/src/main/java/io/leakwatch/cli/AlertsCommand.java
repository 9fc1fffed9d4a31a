package io.leakwatch.cli;

import io.leakwatch.alert.DeadLetterResend;
import io.leakwatch.config.EngineConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch alerts resend-dead-letters --config FILE --sink NAME}: puts a spooled sink's
 * dead letters back into its spool, for the running engine (or the next one) to send again. Prints
 * counts and paths only, never a payload. Exit 0 put back (or none to put back), 1 a running engine
 * has not taken the request yet, 2 no such sink.
 */
@Command(
    name = "alerts",
    description = "Work with delivered alerts.",
    subcommands = AlertsCommand.Resend.class)
final class AlertsCommand {
  @Command(
      name = "resend-dead-letters",
      description =
          "Put a spooled sink's dead letters (alerts its receiver refused for good, e.g. with 401"
              + " after a rotated token) back into its spool to be sent again; beside a running"
              + " engine, ask it to. Each dead letter is put back once however often this runs."
              + " Exit 0 put back, 1 not yet taken by the running engine, 2 no such sink.")
  static final class Resend implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "the engine's configuration file")
    Path config;

    @Option(
        names = "--sink",
        required = true,
        paramLabel = "NAME",
        description = "the sink's name (its name:, or e.g. webhooks[0])")
    String sink;

    @Option(
        names = "--wait-seconds",
        defaultValue = "30",
        paramLabel = "SECONDS",
        description = "how long to wait for a running engine to take the request")
    long waitSeconds;

    @Override
    public Integer call() throws Exception {
      Leakwatch root = Leakwatch.root(spec);
      return resend(
          EngineConfig.load(config, System.getenv()),
          sink,
          Duration.ofSeconds(Math.max(0, waitSeconds)),
          root.out(),
          root.err());
    }
  }

  private AlertsCommand() {}

  static int resend(
      EngineConfig config, String sink, Duration wait, PrintStream out, PrintStream err)
      throws Exception {
    Map<String, Path> spools = config.sinkSpools();
    Path spool = spools.get(sink);
    if (spool == null) {
      err.println(
          "leakwatch: "
              + config.source()
              + " has no spooled sink named '"
              + sink
              + "'"
              + (spools.isEmpty()
                  ? ""
                  : " (its spooled sinks: " + String.join(", ", spools.keySet()) + ")"));
      return Leakwatch.USAGE;
    }
    Path file = DeadLetterResend.file(spool);
    DeadLetterResend.Result result = DeadLetterResend.run(spool, wait);
    String unreadable =
        result.unreadable() == 0
            ? ""
            : "; " + result.unreadable() + " unreadable line(s) left in " + file;
    switch (result.how()) {
      case NOTHING_TO_SEND -> out.println(sink + ": no dead letters in " + file + unreadable);
      case PUT_BACK ->
          out.println(
              sink
                  + ": put "
                  + result.requeued()
                  + " dead letter(s) back into the spool "
                  + spool
                  + (result.alreadyRequeued() == 0
                      ? ""
                      : " (" + result.alreadyRequeued() + " had been put back before)")
                  + "; the engine sends them when it next starts"
                  + unreadable);
      case TAKEN_BY_ENGINE ->
          out.println(
              sink
                  + ": the running engine put the sink's dead letters ("
                  + result.deadLetters()
                  + " when asked) back into its spool; its log says how many"
                  + unreadable);
      case ASKED -> {
        out.println(
            sink
                + ": asked the engine holding "
                + spool
                + " to put "
                + result.deadLetters()
                + " dead letter(s) back; not taken within "
                + wait.toSeconds()
                + " s: its delivery thread may be stuck in a send or stopped (see /ready); the"
                + " request stays for it, or for the next start");
        return Leakwatch.FAILED;
      }
    }
    return Leakwatch.OK;
  }
}
