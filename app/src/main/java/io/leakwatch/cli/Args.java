package io.leakwatch.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of a subcommand, with errors that name the option. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final List<String> positional = new java.util.ArrayList<>();

  Args(List<String> args, Set<String> known) {
    this(args, known, 0);
  }

  /**
   * @param positionals how many plain arguments (a file, a folder) may come before or between
   *     options
   */
  Args(List<String> args, Set<String> known, int positionals) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        if (positional.size() >= positionals) {
          throw new UsageException("unexpected argument '" + arg + "'");
        }
        positional.add(arg);
        continue;
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.size()) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (!known.contains(name)) {
        throw new UsageException(
            "unknown option --"
                + name
                + " (known: "
                + known.stream().sorted().map(k -> "--" + k).toList()
                + ")");
      }
      values.put(name, value);
    }
  }

  /** The {@code index}th plain argument; {@code what} names it in the error when it is missing. */
  String positional(int index, String what) {
    if (index >= positional.size()) {
      throw new UsageException("missing " + what);
    }
    return positional.get(index);
  }

  String text(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  long number(String name, long fallback, long min, long max) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.replace("_", ""));
      if (parsed < min || parsed > max) {
        throw new UsageException(
            "--" + name + " must be between " + min + " and " + max + ", was " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, was '" + value + "'");
    }
  }

  /** A command line that cannot be run; exit code 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
