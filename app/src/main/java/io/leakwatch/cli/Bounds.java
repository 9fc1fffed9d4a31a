package io.leakwatch.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Range checks of numeric options, failing as bad usage (exit 2) with the option's name. */
final class Bounds {
  private Bounds() {}

  static long check(CommandSpec spec, String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ParameterException(
          spec.commandLine(),
          option + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  static int check(CommandSpec spec, String option, int value, int min, int max) {
    return (int) check(spec, option, (long) value, min, (long) max);
  }

  /** A usage error of the command {@code spec} describes. */
  static ParameterException usage(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
