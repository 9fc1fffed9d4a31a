package io.leakwatch.cli;

import io.leakwatch.binding.ConfigException;
import io.leakwatch.profile.ProfileException;
import io.leakwatch.rulepack.RulePackException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The leakwatch command line. Exit codes: 0 success, 1 the run found a problem (a check failed, a
 * detection was missed), 2 bad usage or config.
 */
@Command(
    name = "leakwatch",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Real-time detection of PHI leaking out of Salesforce.",
    footer = {
      "",
      "Exit codes: 0 success, 1 a check failed or a detection was missed, 2 bad usage or config.",
      "Each command answers --help with its options and defaults."
    },
    subcommands = {
      DemoCommand.class,
      BenchCommand.class,
      RunCommand.class,
      ConfigCommand.class,
      HealthCommand.class,
      RulesCommand.class,
      ReplayCommand.class,
      DrillCommand.class,
      SimulateCommand.class,
      AuditCommand.class,
      AlertsCommand.class,
      ProfileCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Leakwatch implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Spec CommandSpec spec;

  private PrintStream out = System.out;
  private PrintStream err = System.err;

  public static void main(String[] argv) {
    // Whatever configured logging (also a logback.xml the user names), Esper's lines lose values.
    if (org.slf4j.LoggerFactory.getILoggerFactory()
        instanceof ch.qos.logback.classic.LoggerContext context) {
      io.leakwatch.logs.EsperLogRedaction.installOn(context);
    }
    System.exit(execute(Arrays.asList(argv), System.out, System.err));
  }

  static int execute(List<String> argv, PrintStream out, PrintStream err) {
    Leakwatch root = new Leakwatch();
    root.out = out;
    root.err = err;
    return commandLine(root).execute(argv.toArray(String[]::new));
  }

  /** The command tree, printing to the root's streams, with Leakwatch's exit codes. */
  static CommandLine commandLine(Leakwatch root) {
    CommandLine cli = new CommandLine(root);
    // Set after the tree is built: picocli asks an annotated version provider once per command
    // while building it, and the version names the built-in pack, which takes reading it.
    versionOnEveryCommand(cli, new BuildInfo());
    // Numbers as the old parser took them: 200_000 is two hundred thousand.
    cli.registerConverter(Integer.class, v -> Integer.parseInt(v.replace("_", "")));
    cli.registerConverter(Integer.TYPE, v -> Integer.parseInt(v.replace("_", "")));
    cli.registerConverter(Long.class, v -> Long.parseLong(v.replace("_", "")));
    cli.registerConverter(Long.TYPE, v -> Long.parseLong(v.replace("_", "")));
    cli.registerConverter(
        java.time.LocalDate.class,
        v -> {
          try {
            return java.time.LocalDate.parse(v);
          } catch (java.time.format.DateTimeParseException e) {
            throw new CommandLine.TypeConversionException(
                "'" + v + "' is not a date of the form YYYY-MM-DD");
          }
        });
    cli.setOut(new PrintWriter(root.out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(root.err, true, StandardCharsets.UTF_8));
    cli.setParameterExceptionHandler(new UsageErrors());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof ProfileException
              || e instanceof RulePackException
              || e instanceof ConfigException) {
            commandLine.getErr().println("leakwatch: " + e.getMessage());
            return USAGE;
          }
          // Engine start-up waits on futures; say what actually failed, not the wrapper.
          Throwable cause =
              e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                  ? e.getCause()
                  : e;
          commandLine
              .getErr()
              .println(
                  "leakwatch: " + commandLine.getCommandName() + " failed: " + cause.getMessage());
          return FAILED;
        });
    return cli;
  }

  private static void versionOnEveryCommand(CommandLine command, BuildInfo version) {
    command.getCommandSpec().versionProvider(version);
    command.getSubcommands().values().forEach(sub -> versionOnEveryCommand(sub, version));
  }

  /** {@code leakwatch} alone: the list of commands, as a usage error. */
  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "a command is required");
  }

  /** The streams the command line was started with, for a command run under {@code spec}. */
  static Leakwatch root(CommandSpec spec) {
    return (Leakwatch) spec.root().userObject();
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }
}
