package io.leakwatch.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code leakwatch run --config FILE} as a process of its own (the test's class path, its own JVM),
 * for tests that SIGKILL the engine and start it again. Its output goes to a log file.
 */
public final class RunProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private RunProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code run} in {@code workDir} with a 512 MiB heap, its output in {@code log}. */
  public static RunProcess start(Path workDir, Path config, Path log) throws IOException {
    return start(workDir, config, log, "512m", Map.of());
  }

  /**
   * Starts {@code run} in {@code workDir}, its output in {@code log}.
   *
   * @param heap the JVM's -Xmx
   * @param environment added to this process's environment (secrets the configuration refers to)
   */
  public static RunProcess start(
      Path workDir, Path config, Path log, String heap, Map<String, String> environment)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-Xmx" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                "io.leakwatch.cli.Leakwatch",
                "run",
                "--config",
                config.toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    return new RunProcess(builder.start(), log);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook runs, nothing is saved at the end. Waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "not gone 20 s after SIGKILL: " + log);
  }

  /** SIGTERM: a graceful stop. Waits for it up to {@code seconds}. */
  public void stop(int seconds) throws InterruptedException {
    process.destroy();
    assertTrue(
        process.waitFor(seconds, TimeUnit.SECONDS), "not stopped " + seconds + " s after SIGTERM");
  }

  /**
   * SIGKILLs it if it still runs: a test that fails half-way must not leave an engine running
   * beside the tests after it.
   */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** The process itself: its exit value, its pid. */
  public Process process() {
    return process;
  }

  public Path log() {
    return log;
  }

  /** The log's last {@code chars} characters, for a failure message. */
  public String logTail(int chars) {
    try {
      String text = Files.readString(log);
      return text.substring(Math.max(0, text.length() - chars));
    } catch (IOException e) {
      return "(log " + log + " unreadable: " + e + ")";
    }
  }
}
