package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.ResponseAction;
import io.leakwatch.decision.ResponseRequest;
import io.leakwatch.response.ActionRecord;
import io.leakwatch.response.AuditLog;
import io.leakwatch.response.Responder;
import io.leakwatch.response.ResponseMode;
import io.leakwatch.response.ResponseSettings;
import io.leakwatch.rulepack.Severity;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The responder against the emulated Salesforce REST API over TLS: each mode, approvals, failures,
 * and the audit trail.
 */
class ResponderTest {
  private static final String USER = "005000000000001AAA";
  private static final String TOKEN = "00D000000000001!good-token";

  @TempDir Path dir;
  SelfSignedCertificate tls;
  RestApiServer rest;
  Path auditFile;

  @BeforeEach
  void start() throws Exception {
    tls = SelfSignedCertificate.generate(dir.resolve("tls"));
    rest = RestApiServer.start(tls, TOKEN::equals);
    auditFile = dir.resolve("state/response-audit.jsonl");
  }

  @AfterEach
  void stop() throws Exception {
    rest.close();
  }

  private Responder responder(ResponseSettings settings, TokenSource tokens) throws Exception {
    return Responder.open(
        settings.withTrustCertificate(tls.certificate()).withRetries(3, Duration.ofMillis(10)),
        tokens);
  }

  private TokenSource fixed() {
    return TokenSource.fixed(new AccessGrant(TOKEN, rest.url(), "00D000000000001AAA"));
  }

  private static Alert alert(String id, boolean drill, ResponseRequest... requests) {
    return Alert.builder()
        .id(id)
        .ruleId("LW-006")
        .title("t")
        .severity(Severity.CRITICAL)
        .principal(USER)
        .integration("etl")
        .count(2)
        .objects("Contact")
        .firstEventTime(1)
        .lastEventTime(2)
        .detectedAt(2)
        .evidence(List.of("e1"))
        .reasons(List.of("r"))
        .decidedBy(List.of("rule"))
        .drill(drill)
        .responses(List.of(requests))
        .build();
  }

  private static ResponseRequest ask(ResponseAction action) {
    return new ResponseRequest(action, "LW-006 rule", false);
  }

  private static <T> T get(java.util.concurrent.CompletableFuture<T> future) throws Exception {
    return future.get(30, TimeUnit.SECONDS);
  }

  @Test
  void dryRunOnlyWritesTheAuditLog() throws Exception {
    String session = rest.addSession(USER);
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.DRY_RUN, auditFile), fixed())) {
      List<ActionRecord> taken =
          get(
              responder.submit(
                  alert(
                      "lw-1",
                      false,
                      ask(ResponseAction.END_SESSION),
                      ask(ResponseAction.FREEZE_USER))));
      assertEquals(
          List.of(ActionRecord.State.DRY_RUN, ActionRecord.State.DRY_RUN),
          taken.stream().map(ActionRecord::state).toList());
    }
    assertEquals(List.of(), rest.calls(), "a dry run calls nothing");
    assertEquals(1, rest.liveSessions(USER), session);
    List<String> audit = Files.readAllLines(auditFile);
    assertEquals(4, audit.size());
    assertTrue(
        audit.get(1).contains("\"event\":\"dryRun\"") && audit.get(1).contains("AuthSession"),
        audit.get(1));
    assertTrue(AuditLog.verify(auditFile).intact());
  }

  @Test
  void approvalWaitsThenRunsAfterApproveAndNeverAfterReject() throws Exception {
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.APPROVAL, auditFile), fixed())) {
      get(responder.submit(alert("lw-1", false, ask(ResponseAction.FREEZE_USER))));
      get(responder.submit(alert("lw-2", false, ask(ResponseAction.FREEZE_USER))));
      List<ActionRecord> pending = responder.pending();
      assertEquals(2, pending.size());
      assertFalse(rest.isFrozen(USER), "nothing runs before approval");
      assertEquals(List.of(), rest.calls());

      ActionRecord rejected =
          get(responder.reject(pending.get(1).id(), "bob", "known migration job"));
      assertEquals(ActionRecord.State.REJECTED, rejected.state());
      assertFalse(rest.isFrozen(USER));
      assertEquals(List.of(), rest.calls(), "a rejected action never runs");

      ActionRecord approved = get(responder.approve(pending.get(0).id(), "alice"));
      assertEquals(ActionRecord.State.DONE, approved.state(), approved.toString());
      assertEquals("alice", approved.decidedBy());
      assertTrue(rest.isFrozen(USER));

      ExecutionException twice =
          assertThrows(
              ExecutionException.class, () -> get(responder.approve(pending.get(1).id(), "alice")));
      assertTrue(twice.getCause() instanceof IllegalStateException, twice.getCause().toString());
      assertTrue(responder.pending().isEmpty());
    }
    String audit = Files.readString(auditFile);
    assertTrue(
        audit.contains("\"event\":\"rejected\"") && audit.contains("\"actor\":\"bob\""), audit);
    assertTrue(
        audit.contains("\"event\":\"approved\"") && audit.contains("\"actor\":\"alice\""), audit);
    assertTrue(audit.contains("\"outcome\":\"done\""), audit);
    assertFalse(audit.contains(TOKEN), "the token never reaches the audit log");
    assertTrue(AuditLog.verify(auditFile).intact());
  }

  @Test
  void autoEndsSessionsAndRevokesTokensOverTls() throws Exception {
    rest.addSession(USER);
    rest.addSession(USER);
    rest.addSession("005000000000002AAA");
    rest.addOauthToken(USER, "Nightly Warehouse ETL");
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.AUTO, auditFile), fixed())) {
      List<ActionRecord> taken =
          get(
              responder.submit(
                  alert(
                      "lw-1",
                      false,
                      ask(ResponseAction.END_SESSION),
                      ask(ResponseAction.REVOKE_TOKENS))));
      assertEquals(
          List.of(ActionRecord.State.DONE, ActionRecord.State.DONE),
          taken.stream().map(ActionRecord::state).toList(),
          taken.toString());
      assertEquals(2, taken.get(0).outcome().affected());
      assertEquals(1, taken.get(1).outcome().affected());
      // The same alert again (a replay after restart, or a later revision) requests nothing new.
      assertEquals(
          List.of(), get(responder.submit(alert("lw-1", false, ask(ResponseAction.END_SESSION)))));
    }
    assertEquals(0, rest.liveSessions(USER));
    assertEquals(1, rest.liveSessions("005000000000002AAA"), "only the alert's user is touched");
    assertEquals(0, rest.liveTokens(USER));
    assertTrue(rest.calls().contains("POST /services/oauth2/revoke"), rest.calls().toString());
  }

  @Test
  void ruleAndDrillLimitsAreStricterThanTheOrg() throws Exception {
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.AUTO, auditFile), fixed())) {
      ActionRecord needsApproval =
          get(responder.submit(
                  alert(
                      "lw-1",
                      false,
                      new ResponseRequest(
                          ResponseAction.FREEZE_USER, "LW-001 person far over threshold", true))))
              .get(0);
      assertEquals(ResponseMode.APPROVAL, needsApproval.mode());
      assertEquals(ActionRecord.State.PENDING, needsApproval.state());
      ActionRecord drill =
          get(responder.submit(alert("lw-2", true, ask(ResponseAction.END_SESSION)))).get(0);
      assertEquals(ActionRecord.State.DRY_RUN, drill.state());
    }
    assertEquals(List.of(), rest.calls(), "neither touched the org");
  }

  @Test
  void serverErrorsAreRetriedWithBackoff() throws Exception {
    rest.addSession(USER);
    rest.failNext(2, 503, "SERVER_UNAVAILABLE");
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.AUTO, auditFile), fixed())) {
      ActionRecord done =
          get(responder.submit(alert("lw-1", false, ask(ResponseAction.END_SESSION)))).get(0);
      assertEquals(ActionRecord.State.DONE, done.state(), done.toString());
      assertEquals(4, done.outcome().attempts(), "two failed queries, the query, the delete");
    }
    assertEquals(0, rest.liveSessions(USER));
  }

  @Test
  void failuresAreAuditedWithStatusAndErrorCode() throws Exception {
    rest.failNext(10, 503, "SERVER_UNAVAILABLE");
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.AUTO, auditFile), fixed())) {
      ActionRecord failed =
          get(responder.submit(alert("lw-1", false, ask(ResponseAction.FREEZE_USER)))).get(0);
      assertEquals(ActionRecord.State.FAILED, failed.state());
      assertEquals(503, failed.outcome().status());
      assertEquals("SERVER_UNAVAILABLE", failed.outcome().errorCode());
      assertEquals(3, failed.outcome().attempts());
    }
    String last = Files.readAllLines(auditFile).get(1);
    assertTrue(
        last.contains("\"event\":\"executed\"")
            && last.contains("\"outcome\":\"failed\"")
            && last.contains("\"status\":503")
            && last.contains("\"errorCode\":\"SERVER_UNAVAILABLE\""),
        last);
    assertFalse(rest.isFrozen(USER));
  }

  @Test
  void aRejectedTokenIsRefreshedOnce() throws Exception {
    AtomicInteger refreshes = new AtomicInteger();
    TokenSource expiring =
        new TokenSource() {
          volatile AccessGrant grant = new AccessGrant("expired", rest.url(), "00D000000000001AAA");

          @Override
          public AccessGrant current() {
            return grant;
          }

          @Override
          public AccessGrant refresh() {
            refreshes.incrementAndGet();
            grant = new AccessGrant(TOKEN, rest.url(), "00D000000000001AAA");
            return grant;
          }
        };
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.AUTO, auditFile), expiring)) {
      ActionRecord done =
          get(responder.submit(alert("lw-1", false, ask(ResponseAction.FREEZE_USER)))).get(0);
      assertEquals(ActionRecord.State.DONE, done.state(), done.toString());
    }
    assertEquals(1, refreshes.get());
    assertTrue(rest.isFrozen(USER));
  }

  @Test
  void pendingApprovalsSurviveARestart() throws Exception {
    String id;
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.APPROVAL, auditFile), fixed())) {
      id = get(responder.submit(alert("lw-1", false, ask(ResponseAction.FREEZE_USER)))).get(0).id();
    }
    try (Responder responder =
        responder(ResponseSettings.of(ResponseMode.APPROVAL, auditFile), fixed())) {
      assertEquals(List.of(id), responder.pending().stream().map(ActionRecord::id).toList());
      assertEquals(
          List.of(),
          get(responder.submit(alert("lw-1", false, ask(ResponseAction.FREEZE_USER)))),
          "replayed alert: no second request");
      assertEquals(ActionRecord.State.DONE, get(responder.approve(id, "alice")).state());
    }
    assertTrue(rest.isFrozen(USER));
    AuditLog.Verification check = AuditLog.verify(auditFile);
    assertTrue(check.intact(), check.describe());
    assertEquals(3, check.entries());
  }
}
