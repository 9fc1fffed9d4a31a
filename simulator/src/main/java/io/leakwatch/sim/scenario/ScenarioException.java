package io.leakwatch.sim.scenario;

/** A scenario file that cannot be used, with the file, the key and what is wrong. */
public final class ScenarioException extends RuntimeException {
  public ScenarioException(String file, String key, String problem) {
    super(file + (key == null || key.isEmpty() ? "" : ": " + key) + ": " + problem);
  }
}
