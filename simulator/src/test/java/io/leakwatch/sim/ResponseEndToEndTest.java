package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertSink;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.ResponseAction;
import io.leakwatch.decision.ResponseRequest;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.response.ActionRecord;
import io.leakwatch.response.AuditLog;
import io.leakwatch.response.ResponseMode;
import io.leakwatch.response.ResponseSettings;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path: simulated events over Pub/Sub gRPC/TLS, the engine's EPL and DRL, the DRL's
 * response requests, and the actions carried out against the emulated REST API over TLS.
 */
class ResponseEndToEndTest {
  private static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  private static final String TOKEN = "00D-e2e-token";

  @TempDir Path dir;

  @Test
  void copiedSessionIsCutOffAtOnceAndABulkReaderIsFrozenOnlyAfterApproval() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(29, 60);
    SimIntegration scheduling = org.integration("scheduling");
    SimUser person = org.people(Role.SCHEDULER).get(0);
    Path audit = dir.resolve("state/response-audit.jsonl");
    List<Alert> alerts = new ArrayList<>();
    try (Harness h =
        new Harness(org, ResponseSettings.of(ResponseMode.AUTO, audit), false, alerts)) {
      h.rest.addSession(scheduling.user().id());
      h.rest.addOauthToken(scheduling.user().id(), scheduling.appName());
      h.rest.addSession(person.id());

      Scenarios.byId("copied-integration-session")
          .events(org, DAY, new Random(3))
          .forEach(h::publish);
      TestSupport.await(
          () ->
              h.rest.liveSessions(scheduling.user().id()) == 0
                  && h.rest.liveTokens(scheduling.user().id()) == 0,
          "the copied session ended and the integration's tokens revoked");

      h.publish(
          new EventFactory(new Random(4), null)
              .apiQuery(
                  TrafficGenerator.millis(DAY, LocalTime.of(14, 0)),
                  person,
                  person.ip(),
                  "s1",
                  "REST",
                  "Clinic Desktop",
                  null,
                  "SELECT Id FROM Contact",
                  "Contact",
                  1_500));
      TestSupport.await(
          () -> h.engine.responder().pending().size() == 1, "the freeze to wait for approval");
      ActionRecord pending = h.engine.responder().pending().get(0);
      assertEquals(ResponseAction.FREEZE_USER, pending.action());
      assertEquals(person.id(), pending.userId());
      assertFalse(h.rest.isFrozen(person.id()), "not before a human approves");

      ActionRecord done =
          h.engine
              .responder()
              .approve(pending.id(), "soc-analyst@sim-health.example")
              .get(30, TimeUnit.SECONDS);
      assertEquals(ActionRecord.State.DONE, done.state(), done.toString());
      assertTrue(h.rest.isFrozen(person.id()));
      assertFalse(
          h.rest.isFrozen(scheduling.user().id()), "the integration was cut off, not frozen");
      assertEquals(1, h.rest.liveSessions(person.id()), "freezing alone ends no session");
    }
    synchronized (alerts) {
      Alert copied =
          alerts.stream().filter(a -> a.ruleId().equals("LW-006")).findFirst().orElseThrow();
      assertEquals(
          List.of(ResponseAction.END_SESSION, ResponseAction.REVOKE_TOKENS),
          copied.responses().stream().map(ResponseRequest::action).toList());
    }
    AuditLog.Verification check = AuditLog.verify(audit);
    assertTrue(check.intact(), check.describe());
    String text = Files.readString(audit);
    assertFalse(text.contains(TOKEN), "no token in the audit log");
    assertEquals(
        3,
        count(text, "\"event\":\"executed\""),
        "end session, revoke tokens and the approved freeze: " + text);
    assertEquals(1, count(text, "\"event\":\"approved\""), text);
  }

  @Test
  void aDrillNeverTouchesTheOrg() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(29, 60);
    SimIntegration scheduling = org.integration("scheduling");
    Path audit = dir.resolve("state/response-audit.jsonl");
    try (Harness h =
        new Harness(org, ResponseSettings.of(ResponseMode.AUTO, audit), true, new ArrayList<>())) {
      h.rest.addSession(scheduling.user().id());
      Scenarios.byId("copied-integration-session")
          .events(org, DAY, new Random(3))
          .forEach(h::publish);
      TestSupport.await(
          () -> h.engine.responder().history().size() == 2, "the drill's actions to be dry-run");
      assertTrue(
          h.engine.responder().history().stream()
              .allMatch(a -> a.state() == ActionRecord.State.DRY_RUN));
      assertEquals(List.of(), h.rest.calls());
      assertEquals(1, h.rest.liveSessions(scheduling.user().id()));
    }
    assertTrue(AuditLog.verify(audit).intact());
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }

  /** Pub/Sub server, REST emulation and an engine whose responses call it. */
  private final class Harness implements AutoCloseable {
    final PubSubServer server;
    final RestApiServer rest;
    final LeakwatchEngine engine;

    Harness(SimulatedOrg org, ResponseSettings response, boolean drill, List<Alert> alerts)
        throws Exception {
      Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
      SelfSignedCertificate restTls = SelfSignedCertificate.generate(dir.resolve("rest-tls"));
      rest = RestApiServer.start(restTls, TOKEN::equals);
      server =
          PubSubServer.start(
              PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls")),
              EventSchemas.standard().byTopic(),
              1);
      AlertSink collect =
          alert -> {
            synchronized (alerts) {
              alerts.add(alert);
            }
          };
      engine =
          LeakwatchEngine.start(
              EngineSettings.builder()
                  .endpoint(new PubSubEndpoint("localhost", server.port(), server.certificate()))
                  .tokens(TokenSource.fixed(new AccessGrant(TOKEN, rest.url(), org.orgId())))
                  .topics(List.of(EventSchemas.API))
                  .start(ReplayStart.earliest())
                  .profile(OrgProfileLoader.load(dir.resolve("profile.yaml")))
                  .pack(RulePackLoader.fromDirectory(Path.of("../rules/pack")))
                  .sinks(List.of(collect))
                  .drill(drill)
                  .response(response.withTrustCertificate(restTls.certificate()))
                  .build());
    }

    void publish(SimEvent event) {
      server.publish(event.topic(), event.eventIdentifier(), EventSchemas.encode(event.record()));
    }

    @Override
    public void close() throws Exception {
      try {
        engine.close();
      } finally {
        server.close();
        rest.close();
      }
    }
  }
}
