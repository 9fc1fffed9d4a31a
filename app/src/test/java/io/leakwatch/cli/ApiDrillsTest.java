package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.api.DrillLauncher;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.sim.TestSupport;
import io.leakwatch.sim.org.SimulatedOrg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /drills} in the run process: a real drill of the org's rules, with evidence drill
 * verify accepts.
 */
class ApiDrillsTest {
  @TempDir Path dir;

  @Test
  void aDrillStartedThroughTheApiRunsToVerifiableEvidence() throws Exception {
    Files.writeString(dir.resolve("profile.yaml"), SimulatedOrg.generate(3, 40).profileYaml());
    Files.writeString(
        dir.resolve("leakwatch.yaml"),
        """
        orgs:
          - name: north
            endpoint: {host: localhost, port: 7443}
            auth: {accessToken: t-0123456789, instanceUrl: https://north.example, tenantId: 00D000000000001}
            topics: [/event/ApiEventStream]
            profile: profile.yaml
        state: state
        """);
    EngineConfig config = EngineConfig.load(dir.resolve("leakwatch.yaml"), Map.of());
    try (ApiDrills drills = new ApiDrills(config)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> drills.start(new DrillLauncher.DrillRequest("south", List.of())));
      assertThrows(
          IllegalArgumentException.class,
          () -> drills.start(new DrillLauncher.DrillRequest(null, List.of("no-such-scenario"))));
      DrillLauncher.DrillRun started =
          drills.start(new DrillLauncher.DrillRequest("north", List.of("debug-log-harvest")));
      assertEquals("running", started.state());
      assertThrows(
          IllegalStateException.class,
          () -> drills.start(new DrillLauncher.DrillRequest("north", List.of())),
          "one drill at a time (a 409 through the API)");
      TestSupport.await(
          () -> !drills.find(started.id()).orElseThrow().state().equals("running"),
          "the drill to finish");
      DrillLauncher.DrillRun done = drills.find(started.id()).orElseThrow();
      assertEquals("passed", done.state(), done.result().toString());
      assertEquals(1, done.result().get("scenarios"));
      assertEquals(0, done.result().get("falsePositives"));
      Path evidence = Path.of(done.result().get("evidence").toString());
      assertTrue(
          evidence.startsWith(dir.resolve("state/drills").toAbsolutePath().normalize())
              || evidence.startsWith(dir.resolve("state/drills")),
          evidence.toString());
      assertTrue(Files.exists(dir.resolve("state/drills/history.jsonl")));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int verified =
          Leakwatch.execute(
              List.of("drill", "verify", evidence.toString()),
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(out, true, StandardCharsets.UTF_8));
      assertEquals(0, verified, out.toString(StandardCharsets.UTF_8));
      assertEquals(
          List.of(started.id()), drills.list().stream().map(DrillLauncher.DrillRun::id).toList());
    }
  }
}
