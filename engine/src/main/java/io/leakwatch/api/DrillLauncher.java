package io.leakwatch.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts drills and reports on them for {@code /drills}. The engine knows nothing of the simulator,
 * so the process that can run drills plugs an implementation in. Methods may block; the API calls
 * them off the event loop.
 */
public interface DrillLauncher {
  /**
   * Starts a drill and returns at once with its id and state {@code running}.
   *
   * @throws IllegalArgumentException when the request cannot be run (unknown org or scenario): a
   *     400
   * @throws IllegalStateException when a drill is already running and this one must wait: a 409
   */
  DrillRun start(DrillRequest request);

  /** Every drill started since this process started, oldest first. */
  List<DrillRun> list();

  Optional<DrillRun> find(String id);

  /**
   * @param org the org to drill, or null for the launcher's default
   * @param scenarios scenario names, empty for the launcher's default set
   */
  record DrillRequest(String org, List<String> scenarios) {
    public DrillRequest {
      scenarios = List.copyOf(scenarios);
    }
  }

  /**
   * @param state running, passed, failed or error
   * @param finished null while running
   * @param result the launcher's own summary (counts, ids, times; never event values), empty while
   *     running
   */
  record DrillRun(
      String id,
      String org,
      String state,
      Instant started,
      Instant finished,
      Map<String, Object> result) {
    public DrillRun {
      result = result == null ? Map.of() : Map.copyOf(result);
    }
  }
}
