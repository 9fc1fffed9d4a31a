package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.ResponseAction;
import io.leakwatch.decision.ResponseRequest;
import io.leakwatch.response.ActionClaims;
import io.leakwatch.response.ActionRecord;
import io.leakwatch.response.Responder;
import io.leakwatch.response.ResponseMode;
import io.leakwatch.response.ResponseSettings;
import io.leakwatch.rulepack.Severity;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.store.Fence;
import io.leakwatch.store.SharedOrgState;
import io.leakwatch.store.StoreSettings;
import io.leakwatch.testing.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic response actions on an org that several nodes own in turn (a real PostgreSQL store):
 * the node that takes the org over raises the same alerts again from the same events, and must not
 * freeze the same user a second time; a node that lost the lease must not act at all. Each node has
 * its own audit log, as each has its own state folder.
 */
class SharedResponseTest {
  private static final String ORG = "acme";
  private static final String USER = "005000000000001AAA";
  private static final String TOKEN = "00D000000000001!good-token";

  @TempDir Path dir;
  private SelfSignedCertificate tls;
  private RestApiServer rest;
  private StoreSettings store;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    tls = SelfSignedCertificate.generate(dir.resolve("tls"));
    rest = RestApiServer.start(tls, TOKEN::equals);
    store = Postgres.migratedDatabase();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    rest.close();
  }

  /** A node's responder, in auto mode, recording its claims under lease {@code token}. */
  private Responder node(String name, long token) throws Exception {
    SharedOrgState state = SharedOrgState.open(store, ORG, new Fence(ORG, token));
    open.add(state);
    Responder responder =
        Responder.open(
                ResponseSettings.of(ResponseMode.AUTO, dir.resolve(name + "/response-audit.jsonl"))
                    .withTrustCertificate(tls.certificate())
                    .withRetries(3, Duration.ofMillis(10)),
                TokenSource.fixed(new AccessGrant(TOKEN, rest.url(), "00D000000000001AAA")))
            .claimingIn(ActionClaims.in(state.ledger()));
    open.add(responder);
    return responder;
  }

  private static Alert alert(String id) {
    return Alert.builder()
        .id(id)
        .ruleId("LW-001")
        .title("t")
        .severity(Severity.CRITICAL)
        .principal(USER)
        .count(2)
        .objects("Contact")
        .firstEventTime(1)
        .lastEventTime(2)
        .detectedAt(2)
        .evidence(List.of("e1"))
        .reasons(List.of("r"))
        .decidedBy(List.of("rule"))
        .responses(List.of(new ResponseRequest(ResponseAction.FREEZE_USER, "LW-001 rule", false)))
        .build();
  }

  private static List<ActionRecord> submit(Responder responder, Alert alert) throws Exception {
    return responder.submit(alert).get(30, TimeUnit.SECONDS);
  }

  private long freezes() {
    return rest.calls().stream().filter(call -> call.startsWith("PATCH")).count();
  }

  @Test
  void theNodeThatTakesTheOrgOverDoesNotRepeatAnActionTheFirstTook() throws Exception {
    Postgres.grant(store, ORG, "node-a", 1);
    Responder a = node("a", 1);
    assertEquals(ActionRecord.State.DONE, submit(a, alert("lw-1")).get(0).state());
    assertEquals(1, freezes(), rest.calls().toString());

    // A stops; B owns the org, replays the events since A's last checkpoint and raises lw-1 again.
    Postgres.grant(store, ORG, "node-b", 2);
    Responder b = node("b", 2);
    assertEquals(List.of(), submit(b, alert("lw-1")), "the action was requested already");
    assertEquals(1, freezes(), rest.calls().toString());
    assertFalse(
        Files.exists(dir.resolve("b/response-audit.jsonl"))
            && Files.readString(dir.resolve("b/response-audit.jsonl")).contains("lw-1"),
        "B's audit log requests nothing for lw-1");

    // A new alert on B is acted on.
    assertEquals(ActionRecord.State.DONE, submit(b, alert("lw-2")).get(0).state());
    assertEquals(2, freezes(), rest.calls().toString());
  }

  @Test
  void aNodeThatLostTheLeaseDoesNotActAndTheOwnerDoes() throws Exception {
    Postgres.grant(store, ORG, "node-a", 7);
    Responder a = node("a", 7);
    Postgres.grant(store, ORG, "node-b", 8); // A paused past its lease; B took the org

    assertEquals(List.of(), submit(a, alert("lw-3")), "nothing requested under a lost lease");
    assertEquals(0, freezes(), rest.calls().toString());

    Responder b = node("b", 8);
    List<ActionRecord> taken = submit(b, alert("lw-3"));
    assertEquals(ActionRecord.State.DONE, taken.get(0).state());
    assertEquals(1, freezes(), rest.calls().toString());
    assertTrue(Files.readString(dir.resolve("b/response-audit.jsonl")).contains("lw-3"));
  }
}
