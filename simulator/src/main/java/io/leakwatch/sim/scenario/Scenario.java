package io.leakwatch.sim.scenario;

import io.leakwatch.sim.org.SimulatedOrg;
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
}
