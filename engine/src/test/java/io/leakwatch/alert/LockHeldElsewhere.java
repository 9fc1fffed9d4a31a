package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding a spool folder's lock, as a running engine or the resend command does:
 * within one process a lock taken twice fails differently, at once. Held from {@link #hold} until
 * {@link #release}.
 */
public final class LockHeldElsewhere implements AutoCloseable {
  private final Process process;

  private LockHeldElsewhere(Process process) {
    this.process = process;
  }

  /** Starts a process that holds the lock of {@code spool}; returns once it holds it. */
  static LockHeldElsewhere hold(Path spool) throws IOException {
    Files.createDirectories(spool);
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockHeldElsewhere.class.getName(),
                spool.resolve(SpoolLock.FILE).toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    LockHeldElsewhere held = new LockHeldElsewhere(process);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String said = out.readLine();
    if (!"locked".equals(said)) {
      held.close();
      assertEquals("locked", said, "the other process to hold the lock");
    }
    return held;
  }

  /** The other process lets go of the lock and ends. */
  void release() throws IOException, InterruptedException {
    process.getOutputStream().close();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the other process to end");
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** What the other process runs: locks {@code args[0]}, says so, holds it until its input ends. */
  public static void main(String[] args) throws IOException {
    try (FileChannel channel =
            FileChannel.open(
                Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // held until the test closes our input
      }
    }
  }
}
