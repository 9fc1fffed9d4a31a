package io.leakwatch.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of a subcommand, with errors that name the option. */
final class Args {
  private final Map<String, String> values = new HashMap<>();

  Args(List<String> args, Set<String> known) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
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
        throw new UsageException("unknown option --" + name + " (known: " + known.stream().sorted().map(k -> "--" + k).toList() + ")");
      }
      values.put(name, value);
    }
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
        throw new UsageException("--" + name + " must be between " + min + " and " + max + ", was " + value);
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
