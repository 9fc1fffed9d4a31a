package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.TestPacks;
import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Editing the rules folder of a running engine: a good change is swapped in, a broken one is
 * refused.
 */
class HotReloadTest {
  @TempDir Path dir;

  @Test
  void changedRulesReplaceTheOldOnesAndBrokenRulesLeaveThemRunning() throws Exception {
    Path pack = TestPacks.copyDefaultPack(dir.resolve("rules"));
    SimulatedOrg org = SimulatedOrg.generate(23, 60);
    List<Alert> alerts = new ArrayList<>();
    AlertSink collect =
        alert -> {
          synchronized (alerts) {
            alerts.add(alert);
          }
        };
    SimUser person = org.people(Role.SCHEDULER).get(0);
    EventFactory make = new EventFactory(new Random(1), null);
    LocalDate day = LocalDate.of(2026, 3, 10);
    try (PubSubServer server = TestSupport.serve(org, dir);
        LeakwatchEngine engine =
            LeakwatchEngine.start(
                TestSupport.engineOn(server, org, dir)
                    .topics(List.of(EventSchemas.API))
                    .pack(RulePackLoader.fromDirectory(pack))
                    .sinks(List.of(collect))
                    .build())) {
      engine.watchRules(pack, 100);
      String original = engine.activePack().sha256();

      publish(
          server,
          make.apiQuery(
              TrafficGenerator.millis(day, LocalTime.of(10, 0)),
              person,
              person.ip(),
              "s",
              "REST",
              "Clinic Desktop",
              null,
              "SELECT Id FROM Contact",
              "Contact",
              20));
      TestSupport.await(() -> engine.processed() >= 1, "first event");
      assertEquals(0, engine.stats().totalAlerts(), "20 rows is under the threshold of 100");

      Path epl = pack.resolve("bulk-phi-read/detect.epl");
      Files.writeString(
          epl,
          Files.readString(epl)
              .replace("having sum(rows) > org.bulkThreshold(UserId)", "having sum(rows) > 10"));
      TestSupport.await(
          () -> !engine.activePack().sha256().equals(original), "the edited rules to load");
      publish(
          server,
          make.apiQuery(
              TrafficGenerator.millis(day, LocalTime.of(11, 0)),
              person,
              person.ip(),
              "s",
              "REST",
              "Clinic Desktop",
              null,
              "SELECT Id FROM Contact",
              "Contact",
              20));
      TestSupport.await(() -> engine.stats().totalAlerts() >= 1, "an alert under the edited rule");

      String edited = engine.activePack().sha256();
      Files.writeString(epl, "select broken from");
      Thread.sleep(600); // several watch periods: the broken pack is compiled and refused
      assertEquals(edited, engine.activePack().sha256(), "broken rules are never swapped in");
      publish(
          server,
          make.apiQuery(
              TrafficGenerator.millis(day, LocalTime.of(12, 0)),
              person,
              person.ip(),
              "s",
              "REST",
              "Clinic Desktop",
              null,
              "SELECT Id FROM Contact",
              "Contact",
              20));
      TestSupport.await(() -> engine.stats().totalAlerts() >= 2, "the edited rules still running");
      TestSupport.await(() -> engine.processed() >= 3, "the third event confirmed");
      assertEquals(3, engine.processed(), "no event dropped across reloads");
    }
    synchronized (alerts) {
      assertTrue(alerts.stream().allMatch(a -> a.ruleId().equals("LW-001")), alerts.toString());
    }
  }

  private static void publish(PubSubServer server, SimEvent event) {
    server.publish(event.topic(), event.eventIdentifier(), EventSchemas.encode(event.record()));
  }
}
