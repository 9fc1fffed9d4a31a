package io.leakwatch.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line that cannot be run: what is wrong, the nearest command or option when one was
 * mistyped, and the usage of the command that was meant. Exit code 2.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    var err = cli.getErr();
    err.println("leakwatch: " + message(e));
    List<String> suggestions =
        e instanceof UnmatchedArgumentException unmatched ? suggestions(unmatched) : List.of();
    if (!suggestions.isEmpty()) {
      err.println("Did you mean: " + String.join(" or ", suggestions) + "?");
      err.println("(" + cli.getCommandSpec().qualifiedName() + " --help lists them all)");
    } else {
      cli.usage(err);
    }
    return Leakwatch.USAGE;
  }

  /** Picocli's words, except that a number that is not one says so in the old parser's words. */
  private static String message(ParameterException e) {
    ArgSpec arg = e.getArgSpec();
    if (arg instanceof OptionSpec option
        && isWholeNumber(option.type())
        && e.getValue() != null
        && e.getCause() != null) {
      return option.longestName() + " must be a whole number, was '" + e.getValue() + "'";
    }
    return e.getMessage();
  }

  private static boolean isWholeNumber(Class<?> type) {
    return type == int.class || type == long.class || type == Integer.class || type == Long.class;
  }

  /**
   * Picocli's suggestions (similar letter pairs), else every command or option within two edits,
   * which also catches swapped letters ({@code dmeo} for {@code demo}).
   */
  static List<String> suggestions(UnmatchedArgumentException e) {
    List<String> picocli = e.getSuggestions();
    if (!picocli.isEmpty()) {
      return picocli;
    }
    if (e.getUnmatched().isEmpty()) {
      return List.of();
    }
    String typed = e.getUnmatched().get(0);
    int equals = typed.indexOf('=');
    if (typed.startsWith("--") && equals > 0) {
      typed = typed.substring(0, equals);
    }
    var spec = e.getCommandLine().getCommandSpec();
    List<String> candidates = new ArrayList<>();
    if (typed.startsWith("-")) {
      spec.options().forEach(o -> candidates.addAll(List.of(o.names())));
    } else {
      candidates.addAll(spec.subcommands().keySet());
    }
    List<String> near = new ArrayList<>();
    for (String candidate : candidates) {
      if (editDistance(typed, candidate) <= Math.min(2, Math.max(1, candidate.length() / 3))) {
        near.add(candidate);
      }
    }
    return near;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and swaps. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
