package io.leakwatch.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.config.EngineConfig;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.SimulatedOrg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill against an engine that runs elsewhere: the engine (the run service, with a drill org
 * whose simulator is not up yet) is started first, as a container would be; the drill then serves
 * the simulated org, plays its scenarios and reads the drill alerts back through the engine's API.
 * Twice, because a long-running engine remembers the previous drill.
 */
class RemoteDrillTest {
  private static final String TOKEN = "remote-drill-api-token-0123456789";
  private static final int USERS = 120;

  @TempDir Path dir;

  @Test
  void drillsAnEngineRunningElsewhereTwiceAndEveryAlertIsADrillAlert() throws Exception {
    Path home = dir.resolve("remote-drill");
    SimulatedOrg org = SimulatedOrg.generate(7, USERS);
    Path cert = RemoteDrill.prepare(home, org);
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Files.writeString(
        dir.resolve("leakwatch.yaml"),
        """
        orgs:
          - name: drill
            drill: true
            endpoint: {host: localhost, port: %d, trustCertificate: %s}
            auth: {accessToken: drill-simulator, instanceUrl: %s, tenantId: %s}
            topics: [/event/ApiEventStream, /event/ReportEventStream, /event/LoginEventStream, /event/PermissionSetEvent]
            replay: latest
            profile: %s
        alerts: {console: false, jsonl: alerts.jsonl}
        api: {port: 0, tokens: ['%s']}
        state: state
        """
            .formatted(
                port,
                cert,
                org.instanceUrl(),
                org.orgId(),
                home.resolve("org-profile.yaml"),
                TOKEN));
    EngineConfig config = EngineConfig.load(dir.resolve("leakwatch.yaml"), Map.of());
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (var service =
        io.leakwatch.cli.RunServiceAccess.start(
            config, new PrintStream(console, true, StandardCharsets.UTF_8))) {
      URI api = URI.create("http://127.0.0.1:" + service.apiPort());
      for (int run = 1; run <= 2; run++) {
        LocalDate date = RemoteDrill.nextDate(home, LocalDate.of(2026, 3, 10));
        Path out = dir.resolve("drill-" + run);
        Drill.Options options =
            new Drill.Options(
                7,
                USERS,
                date,
                1,
                0,
                Drill.select("LW-001,LW-004,LW-009"),
                RulePackLoader.defaultPack(),
                out,
                dir.resolve("history.jsonl"),
                null);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        RemoteDrill remote =
            new RemoteDrill(
                options,
                new RemoteDrill.Target(api, TOKEN, null, "drill"),
                new RemoteDrill.Endpoint("127.0.0.1", port, home, Duration.ofMinutes(3)),
                new PrintStream(progress, true, StandardCharsets.UTF_8));
        Drill.Outcome outcome = Drill.run(options, remote);
        DrillReport report = outcome.report();
        assertTrue(report.allPassed(), "run " + run + ": " + report.scenarios() + "\n" + progress);
        assertEquals(
            0, report.figures().falsePositives(), "run " + run + ": " + report.falsePositives());
        assertTrue(
            outcome.result().alerts().stream().allMatch(a -> a.drill()), "only drill alerts");
        assertEquals(
            "pubsub-grpc-tls-remote-engine", report.evidence().settings().get("transport"));
        assertEquals(
            EvidenceManifest.verify(out, null).problems(), List.of(), "the evidence verifies");
        if (run == 2) {
          assertTrue(
              date.isAfter(LocalDate.of(2026, 3, 19)),
              "the second drill is played after the first: " + date);
        }
      }
    }
  }
}
