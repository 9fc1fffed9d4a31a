package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;

/** A leak the simulator can stage amid background traffic, and the detections it should cause. */
public interface Scenario {
  String id();

  String title();

  /** Rule ids expected to fire on it. */
  List<String> expectedRules();

  /** The events that perform the leak on {@code date}. */
  List<SimEvent> events(SimulatedOrg org, LocalDate date, Random random);

  /**
   * Whether a rule it triggers learns from history the scenario stages (earlier logins, a baseline)
   * and kept in the engine's memory: a restart in the middle relearns it, so crash tests leave it
   * out.
   */
  default boolean learnsHistory() {
    return false;
  }

  /**
   * How long, in event time from the start of the leak, detection may take and still count as
   * prompt.
   */
  default java.time.Duration expectedTimeToDetect() {
    return java.time.Duration.ofMinutes(5);
  }

  /**
   * When the leak itself starts, for time to detect: by default the first event that touches data
   * (logins, Logins-As and Threat Detection signals before it are preparation or evidence, not the
   * leak).
   */
  default long leakStart(LocalDate date, List<SimEvent> staged) {
    return staged.stream()
        .filter(
            e ->
                !e.topic().equals(EventSchemas.LOGIN)
                    && !e.topic().equals(EventSchemas.LOGIN_AS)
                    && !EventSchemas.THREAT_DETECTION.contains(e.topic()))
        .mapToLong(SimEvent::eventDate)
        .min()
        .orElse(staged.stream().mapToLong(SimEvent::eventDate).min().orElseThrow());
  }
}
