package io.leakwatch.cli;

import io.leakwatch.response.AuditLog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch audit verify FILE}: checks the response actions' hash-chained audit log and
 * names the first line that breaks it. Exit 0 intact, 1 broken, 2 no such file.
 */
@Command(
    name = "audit",
    description = "Check the response actions' audit log.",
    subcommands = AuditCommand.Verify.class)
final class AuditCommand {
  @Command(
      name = "verify",
      description =
          "Check the response actions' hash-chained audit log; names the first broken line. Exit 0"
              + " intact, 1 broken, 2 no such file.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the audit log (JSON Lines)")
    Path file;

    @Override
    public Integer call() throws Exception {
      return verify(file, Leakwatch.root(spec).out(), Leakwatch.root(spec).err());
    }
  }

  private AuditCommand() {}

  static int verify(Path file, PrintStream out, PrintStream err) throws Exception {
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
