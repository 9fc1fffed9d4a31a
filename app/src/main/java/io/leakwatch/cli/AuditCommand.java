package io.leakwatch.cli;

import io.leakwatch.response.AuditLog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code leakwatch audit verify FILE}: checks the response actions' hash-chained audit log and
 * names the first line that breaks it. Exit 0 intact, 1 broken, 2 no such file.
 */
final class AuditCommand {
  private AuditCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
    if (argv.isEmpty() || !argv.get(0).equals("verify")) {
      throw new Args.UsageException("audit needs a subcommand: verify FILE");
    }
    Args args = new Args(argv.subList(1, argv.size()), Set.of(), 1);
    Path file = Path.of(args.positional(0, "the audit log"));
    if (!Files.isRegularFile(file)) {
      err.println("leakwatch: " + file + ": no such file");
      return 2;
    }
    AuditLog.Verification result = AuditLog.verify(file);
    if (result.intact()) {
      out.println(
          file + ": OK, " + result.entries() + " entries, chain intact; head " + result.headHash());
      out.println(
          "(keep the head hash elsewhere: lines cut from the end can only be noticed against a copy of it)");
      return 0;
    }
    out.println(file + ": BROKEN at line " + result.brokenLine() + ": " + result.problem());
    out.println(
        result.entries()
            + " entries before it are intact; head of the intact part "
            + result.headHash());
    return 1;
  }
}
