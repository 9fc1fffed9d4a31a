package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.api.EngineOrg;
import io.leakwatch.api.MonitoredOrg;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.checkpoint.LoginCursor;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.loginpoll.LoginHistorySettings;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.LoginHistory;
import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LoginHistory poll end to end: the simulated org's REST API over TLS serves its LoginHistory
 * with paging, the engine polls it beside the Pub/Sub stream, and the rules see the logins the
 * stream never carries.
 */
class LoginHistoryPollTest {
  private static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  private static final String TOKEN = "00D-login-history-token";
  private static final String UNTRUSTED = "192.0.2.77";

  @TempDir Path dir;

  private final SimulatedOrg org = SimulatedOrg.generate(31, 40);
  private final SimIntegration etl = org.integration("nightly-etl");
  private final SimUser person = org.people(Role.CLINICIAN).get(0);
  private final Random random = new Random(5);

  @Test
  void integrationLoginsOnlyInLoginHistoryReachTheRulesThatReadLogins() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    List<Alert> alerts = new ArrayList<>();
    SimEvent password = login(etl.user(), at(1, 2), UNTRUSTED);
    password.record().put("LoginType", "Remote Access 2.0");
    password.record().put("LoginSubType", "OauthUsernamePassword");
    assertTrue(history.record(password), "an integration user's login stays off the stream");
    SimUser telehealth = org.integration("telehealth").user();
    SimEvent browser = login(telehealth, at(1, 5), org.integration("telehealth").egressIp());
    browser.record().put("LoginType", "Application");
    assertTrue(history.record(browser));
    try (Harness h = new Harness(history, 2_000, alerts, null)) {
      TestSupport.await(
          () -> ruleIds(alerts).containsAll(List.of("LW-005", "LW-002", "LW-006")),
          "LW-005 and LW-002 (stored password from an untrusted network), LW-006 (browser login)");
      Alert stored = byRule(alerts, "LW-005");
      assertEquals(etl.user().id(), stored.principal());
      assertTrue(
          stored.evidence().contains(password.record().get("LoginHistoryId").toString()),
          "the evidence is the LoginHistory row: " + stored.evidence());
      assertEquals(telehealth.id(), byRule(alerts, "LW-006").principal());
      assertEquals(2L, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
    }
  }

  @Test
  void pagesThroughNextRecordsUrlAndDeliversEveryRowOnce() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    for (int i = 0; i < 7; i++) {
      history.record(login(etl.user(), at(1, i), etl.egressIp()));
    }
    try (Harness h = new Harness(history, 3, new ArrayList<>(), null)) {
      TestSupport.await(() -> h.poll().delivered() == 7, "all seven rows");
      long rounds = h.poll().rounds();
      TestSupport.await(() -> h.poll().rounds() >= rounds + 2, "two more rounds");
      assertEquals(7, h.poll().delivered(), "rows read again in the settle window are not resent");
      assertTrue(
          h.rest.calls().stream()
                  .filter(c -> c.startsWith("GET /services/data/v62.0/query/01g"))
                  .count()
              >= 2,
          "the second and third page came through nextRecordsUrl: " + h.rest.calls());
      assertEquals(7L, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
    }
  }

  @Test
  void aRestartResumesFromTheCursorWithoutRepeatingOrLosingALoginAtTheSameTime() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    Path state = dir.resolve("state");
    long time = at(2, 0);
    history.record(login(etl.user(), time, etl.egressIp()));
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), state)) {
      TestSupport.await(() -> h.poll().delivered() == 1, "the first login");
    }
    assertTrue(Files.exists(state.resolve("loginhistory-cursor.json")));
    // Written late, at the very LoginTime the cursor stands on; and one more after it.
    history.record(login(org.integration("scheduling").user(), time, etl.egressIp()));
    history.record(login(etl.user(), time + 60_000, etl.egressIp()));
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), state)) {
      TestSupport.await(() -> h.poll().delivered() == 2, "the two new logins");
      long rounds = h.poll().rounds();
      TestSupport.await(() -> h.poll().rounds() >= rounds + 2, "two more rounds");
      assertEquals(2, h.poll().delivered(), "the login before the restart is not repeated");
      assertEquals(2L, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
    }
  }

  @Test
  void aLoginTheStreamDeliveredFirstIsNotProcessedAgainFromLoginHistory() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    SimEvent login = login(person, at(8, 0), person.ip());
    Path state = dir.resolve("state");
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), state)) {
      h.publish(login);
      TestSupport.await(() -> h.engine.processed() == 1, "the stream's login");
      assertFalse(history.record(login), "a person's login is on the stream and in the history");
      long rounds = h.poll().rounds();
      // One round may have queried before the row was written; the cursor is saved up to where
      // the permission check at the start of the round after the one that read it stood.
      TestSupport.await(() -> h.poll().rounds() >= rounds + 3, "three more rounds");
      assertEquals(0, h.poll().delivered(), "the poll leaves out what the stream delivered");
      assertEquals(
          at(8, 0),
          LoginCursor.load(LoginCursor.file(state)).readUpTo(),
          "and moves its cursor over it, so it never reads further and further back");
      assertEquals(1, h.engine.processed());
      assertEquals(1L, h.engine.stats().processedByTopic().get(EventSchemas.LOGIN));
      assertEquals(null, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
    }
  }

  @Test
  void aLoginLoginHistoryDeliveredFirstIsNotProcessedAgainFromTheStream() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    SimEvent login = login(person, at(8, 0), person.ip());
    history.record(login);
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), null)) {
      TestSupport.await(() -> h.poll().delivered() == 1, "the polled login");
      h.publish(login);
      TestSupport.await(() -> h.engine.duplicateLogins() == 1, "the stream's copy refused");
      // The refusal is counted before the stream's batch is confirmed: processed() catches up.
      TestSupport.await(() -> h.engine.processed() == 1, "the login counted once");
      assertEquals(1L, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
      assertEquals(null, h.engine.stats().processedByTopic().get(EventSchemas.LOGIN));
    }
  }

  @Test
  void aLoginThePollDeliveredFirstIsStillRefusedWhenTheStreamReplaysItAfterARestart()
      throws Exception {
    LoginHistory history = LoginHistory.of(org);
    SimEvent login = login(person, at(8, 0), person.ip());
    history.record(login);
    Path state = dir.resolve("state");
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), state)) {
      TestSupport.await(() -> h.poll().delivered() == 1, "the polled login");
      // An hour and a half later the cursor is far past the settle time of the first login.
      history.record(login(etl.user(), at(9, 30), etl.egressIp()));
      TestSupport.await(() -> savedCursor(state) >= at(9, 30), "the cursor moved on");
    }
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), state)) {
      // The stream's copy, as a restart's replay from a resume horizon back delivers it.
      h.publish(login);
      TestSupport.await(() -> h.engine.duplicateLogins() == 1, "the stream's copy refused");
      assertEquals(null, h.engine.stats().processedByTopic().get(EventSchemas.LOGIN));
    }
  }

  @Test
  void aRestartFromLearnedStateReadsAgainTheLoginsThePollDeliveredAfterTheSnapshotOnly()
      throws Exception {
    Path state = dir.resolve("state");
    restartFromLearnedState(state, state, null);
  }

  @Test
  void anotherNodeTakingTheOrgOverResumesThePollFromTheSharedLearnedState() throws Exception {
    // The org's learned state is in PostgreSQL; the node taking over has a state folder of its own
    // (no cursor file): before, it read LoginHistory from its lookback and counted again the
    // logins the tables already held.
    restartFromLearnedState(
        dir.resolve("node-1"),
        dir.resolve("node-2"),
        io.leakwatch.testing.Postgres.freshDatabase());
  }

  /**
   * One run takes a learned-state snapshot after a polled login (L0) and before another (L), and
   * saves it; the next run restores it. L0 is in the restored tables and must not count again; L is
   * not, and must be read again (before: the poll resumed from its cursor file, past L, so L was
   * missing from the rebuilt windows, and its stream copy, had there been one, was refused).
   */
  private void restartFromLearnedState(
      Path firstState, Path secondState, io.leakwatch.store.StoreSettings store) throws Exception {
    LoginHistory history = LoginHistory.of(org);
    this.store = store;
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), firstState)) {
      h.publish(login(person, at(7, 0), person.ip()));
      TestSupport.await(() -> h.engine.processed() == 1, "the stream's first login: a snapshot");
      history.record(login(etl.user(), at(6, 50), etl.egressIp()));
      TestSupport.await(() -> savedCursor(firstState) >= at(6, 50), "L0 polled, its cursor saved");
      // An hour and a half on: the first snapshot is saved, the second taken (L0 in it).
      h.publish(login(person, at(8, 30), person.ip()));
      TestSupport.await(() -> h.engine.processed() == 3, "the stream's second login");
      history.record(login(etl.user(), at(8, 10), etl.egressIp()));
      TestSupport.await(() -> savedCursor(firstState) >= at(8, 10), "L polled, its cursor saved");
      // The second snapshot (L0, not L) is saved once event time is a horizon past it.
      h.publish(login(person, at(9, 40), person.ip()));
      TestSupport.await(
          () -> savedLearnedTime(firstState, store) == at(8, 30), "the second snapshot saved");
      assertEquals(2, h.poll().delivered());
    }
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), secondState)) {
      TestSupport.await(() -> h.poll().delivered() >= 1, "L read again");
      long rounds = h.poll().rounds();
      TestSupport.await(() -> h.poll().rounds() >= rounds + 3, "three more rounds");
      assertEquals(1, h.poll().delivered(), "L0, in the restored tables, is not read again");
      assertEquals(1L, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
    }
  }

  private static long savedLearnedTime(Path state, io.leakwatch.store.StoreSettings store) {
    try {
      if (store != null) {
        try (io.leakwatch.store.SharedOrgState shared =
            io.leakwatch.store.SharedOrgState.open(store, ORG_NAME, null)) {
          Long time = shared.learnedState().savedEventTime();
          return time == null ? 0 : time;
        }
      }
      io.leakwatch.checkpoint.LearnedState learned =
          new io.leakwatch.checkpoint.LearnedStateFile(state.resolve("learned-state.json")).load();
      return learned == null ? 0 : learned.eventTime();
    } catch (Exception e) {
      return 0;
    }
  }

  @Test
  void failingRoundsAreRetriedWithBackoffAndShowTheSourceDown() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    history.record(login(etl.user(), at(1, 0), etl.egressIp()));
    try (Harness h =
        new Harness(
            history,
            2_000,
            new ArrayList<>(),
            null,
            rest -> rest.failNext(1_000, 503, "SERVER_UNAVAILABLE"))) {
      EngineOrg api = new EngineOrg("acme", h.engine, null);
      TestSupport.await(() -> h.poll().failedRounds() >= 2, "failed rounds");
      MonitoredOrg.TopicStatus status =
          api.topics().stream()
              .filter(t -> t.topic().equals(TopicTypes.LOGIN_HISTORY))
              .findFirst()
              .orElseThrow();
      assertFalse(status.live(), "/ready and /metrics show the source down");
      assertEquals(0, h.poll().delivered());
      h.rest.failNext(0, 503, "SERVER_UNAVAILABLE");
      TestSupport.await(() -> h.poll().delivered() == 1, "the login once the API is back");
      TestSupport.await(
          () ->
              api.topics().stream()
                  .anyMatch(t -> t.topic().equals(TopicTypes.LOGIN_HISTORY) && t.live()),
          "the source up again");
    }
  }

  @Test
  void aRefusedTokenIsRefreshedOnce() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    history.record(login(etl.user(), at(1, 0), etl.egressIp()));
    int[] refreshes = {0};
    TokenSource expiring =
        new TokenSource() {
          volatile String token = "expired-token";

          @Override
          public AccessGrant current() {
            return new AccessGrant(token, restUrl, org.orgId());
          }

          @Override
          public AccessGrant refresh() {
            refreshes[0]++;
            token = TOKEN;
            return current();
          }
        };
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), null, rest -> {}, expiring)) {
      TestSupport.await(() -> h.poll().delivered() == 1, "the login after a refresh");
      assertEquals(1, refreshes[0]);
      assertEquals(0, h.poll().failedRounds());
    }
  }

  @Test
  void aRowWithoutAUsableLoginTimeIsDeadLetteredOnceWithItsReason() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    ObjectNode bad = new ObjectMapper().createObjectNode();
    bad.putObject("attributes").put("type", "LoginHistory");
    bad.put("Id", "0Ya000000000000BAD");
    bad.put("UserId", etl.user().id());
    bad.put("LoginTime", "yesterday");
    history.add(bad);
    history.record(login(etl.user(), at(1, 0), etl.egressIp()));
    Path deadLetters = dir.resolve("dead-letters.jsonl");
    try (Harness h =
        new Harness(history, 2_000, new ArrayList<>(), null, rest -> {}, null, deadLetters)) {
      TestSupport.await(() -> h.poll().delivered() == 2, "both rows handed over");
      long rounds = h.poll().rounds();
      TestSupport.await(() -> h.poll().rounds() >= rounds + 2, "two more rounds");
      assertEquals(1, h.poll().deadLettered());
      assertEquals(1L, h.engine.stats().deadLetteredByTopic().get(TopicTypes.LOGIN_HISTORY));
      List<String> lines = Files.readAllLines(deadLetters);
      assertEquals(1, lines.size(), lines.toString());
      assertTrue(lines.get(0).contains("0Ya000000000000BAD"), lines.get(0));
      assertTrue(lines.get(0).contains("LoginTime is not a date-time"), lines.get(0));
    }
  }

  private volatile String restUrl;

  /** How often the next harness's poll checks its permission (zero: before every round). */
  private Duration accessCheck = Duration.ZERO;

  /** How far past the host's clock an event may be dated (0: no bound), for the next harness. */
  private long eventTimeBound;

  /** The shared store the next harness keeps the org's state in, or null (files). */
  private io.leakwatch.store.StoreSettings store;

  private static final String ORG_NAME = "acme-login-history";

  @Test
  void aLoginDatedPastSalesforcesClockIsRefusedOnceAndLaterLoginsStillArrive() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    history.record(login(etl.user(), at(1, 0), etl.egressIp()));
    SimEvent misdated =
        login(
            etl.user(),
            System.currentTimeMillis() + Duration.ofDays(30).toMillis(),
            etl.egressIp());
    history.record(misdated);
    Path deadLetters = dir.resolve("dead-letters.jsonl");
    eventTimeBound = EngineSettings.MAX_AHEAD_OF_CLOCK_MILLIS;
    Path state = dir.resolve("state");
    try (Harness h =
        new Harness(history, 2_000, new ArrayList<>(), state, rest -> {}, null, deadLetters)) {
      TestSupport.await(() -> h.poll().delivered() == 2, "both rows handed over");
      TestSupport.await(
          () -> h.engine.stats().deadLetteredByTopic().get(TopicTypes.LOGIN_HISTORY) != null,
          "the misdated login refused");
      // Saved up to what a permission check has vouched for: the next round's check.
      TestSupport.await(() -> savedCursor(state) >= at(1, 0), "the round's cursor saved");
      assertEquals(
          at(1, 0),
          LoginCursor.load(LoginCursor.file(state)).readUpTo(),
          "the cursor stays with the real logins");
      long before = h.poll().rounds();
      TestSupport.await(() -> h.poll().rounds() >= before + 3, "the misdated row read again");
      assertEquals(
          at(1, 0),
          LoginCursor.load(LoginCursor.file(state)).readUpTo(),
          "read again, the misdated login (taken already) does not carry the cursor either");
      history.record(login(etl.user(), at(2, 0), etl.egressIp()));
      TestSupport.await(() -> h.poll().delivered() == 3, "a later login still read");
      long rounds = h.poll().rounds();
      TestSupport.await(() -> h.poll().rounds() >= rounds + 2, "two more rounds");
      assertEquals(3, h.poll().delivered(), "the misdated login is not read again");
      assertEquals(2L, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
      assertEquals(1L, h.engine.stats().deadLetteredByTopic().get(TopicTypes.LOGIN_HISTORY));
      List<String> lines = Files.readAllLines(deadLetters);
      assertEquals(1, lines.size(), lines.toString());
      assertTrue(lines.get(0).contains("h after this host's clock"), lines.get(0));
    }
  }

  @Test
  void withoutManageUsersOrMonitorLoginHistoryThePollSaysSoAndReadsTheSpanOnceGranted()
      throws Exception {
    LoginHistory history = LoginHistory.of(org);
    history.record(login(etl.user(), at(1, 0), etl.egressIp()));
    List<Alert> alerts = new ArrayList<>();
    try (Harness h =
        new Harness(history, 2_000, alerts, null, rest -> rest.loginHistoryAccess(false, false))) {
      EngineOrg api = new EngineOrg("acme", h.engine, null);
      TestSupport.await(() -> !pollStatus(api).live(), "the source down");
      MonitoredOrg.TopicStatus status = pollStatus(api);
      assertTrue(
          status.why() != null
              && status.why().contains("Manage Users")
              && status.why().contains("Monitor Login History"),
          "/ready names the permissions: " + status.why());
      TestSupport.await(() -> ruleIds(alerts).contains("LW-GAP"), "a gap alert");
      Alert gap = byRule(alerts, "LW-GAP");
      assertEquals(TopicTypes.LOGIN_HISTORY, gap.objects());
      assertTrue(gap.reasons().get(0).contains("Manage Users"), gap.reasons().toString());
      long checks = h.poll().failedRounds();
      TestSupport.await(() -> h.poll().failedRounds() >= checks + 2, "checked again");
      assertEquals(1, ruleIds(alerts).stream().filter("LW-GAP"::equals).count(), "one gap alert");
      assertEquals(0, h.poll().delivered());
      assertFalse(
          h.rest.calls().contains("GET query LoginHistory"),
          "nothing read that would look like a quiet org: " + h.rest.calls());
      h.rest.loginHistoryAccess(false, true);
      TestSupport.await(() -> h.poll().delivered() == 1, "the login read once granted");
      TestSupport.await(() -> pollStatus(api).live(), "the source up again");
      assertEquals(null, pollStatus(api).why());
    }
  }

  @Test
  void aPermissionTakenAwayUnnoticedBeforeARestartLosesNoLogin() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    Path state = dir.resolve("state");
    String engineUser = "005000000000EnGAAA";
    history.record(login(etl.user(), at(1, 0), etl.egressIp()));
    accessCheck = Duration.ofHours(1); // checked at start only: the loss goes unnoticed
    try (Harness h =
        new Harness(
            history, 2_000, new ArrayList<>(), state, rest -> rest.runningUser(engineUser))) {
      TestSupport.await(() -> h.poll().delivered() == 1, "the first login");
      h.rest.loginHistoryAccess(false, false);
      // Another user's login the poll cannot see now, then one of its own, which it can.
      history.record(login(etl.user(), at(1, 30), etl.egressIp()));
      history.add(ownLogin(engineUser, at(2, 0)));
      TestSupport.await(() -> h.poll().delivered() == 2, "the engine user's own login");
      // Event time at 02:00: the snapshot taken at the first login (01:00) is saved.
      TestSupport.await(() -> savedLearnedTime(state, null) == at(1, 0), "learned state saved");
    }
    accessCheck = Duration.ZERO;
    try (Harness h = new Harness(history, 2_000, new ArrayList<>(), state)) {
      TestSupport.await(() -> h.poll().delivered() >= 2, "the login of 01:30, read after all");
      long rounds = h.poll().rounds();
      TestSupport.await(() -> h.poll().rounds() >= rounds + 2, "two more rounds");
      // And the engine user's own login again: it came after the snapshot, so the restored tables
      // lack it. The login of 01:00, in them, is not repeated.
      assertEquals(2, h.poll().delivered());
      assertEquals(2L, h.engine.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
    }
  }

  @Test
  void anApiVersionWithoutMonitorLoginHistoryIsCheckedForManageUsersAlone() throws Exception {
    LoginHistory history = LoginHistory.of(org);
    history.record(login(etl.user(), at(1, 0), etl.egressIp()));
    try (Harness h =
        new Harness(
            history, 2_000, new ArrayList<>(), null, rest -> rest.loginHistoryAccess(true, null))) {
      TestSupport.await(() -> h.poll().delivered() == 1, "the login");
      assertEquals(0, h.poll().failedRounds());
      assertEquals(null, h.poll().blind());
    }
  }

  private static ObjectNode ownLogin(String userId, long time) {
    ObjectNode row = new ObjectMapper().createObjectNode();
    row.putObject("attributes").put("type", "LoginHistory");
    row.put("Id", "0Ya000000000OWNAAA");
    row.put("UserId", userId);
    row.put(
        "LoginTime",
        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx")
            .withZone(java.time.ZoneOffset.UTC)
            .format(java.time.Instant.ofEpochMilli(time)));
    row.put("LoginType", "Remote Access 2.0");
    row.put("Status", "Success");
    return row;
  }

  private static long savedCursor(Path state) {
    try {
      LoginCursor cursor = LoginCursor.load(LoginCursor.file(state));
      return cursor == null ? 0 : cursor.readUpTo();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static MonitoredOrg.TopicStatus pollStatus(EngineOrg api) {
    return api.topics().stream()
        .filter(t -> t.topic().equals(TopicTypes.LOGIN_HISTORY))
        .findFirst()
        .orElseThrow();
  }

  private SimEvent login(SimUser user, long time, String ip) {
    boolean integration =
        user.id().equals(etl.user().id())
            || org.integrations().stream().anyMatch(i -> i.user().id().equals(user.id()));
    return new EventFactory(random, null)
        .login(
            time,
            user,
            ip,
            "s-" + random.nextInt(1_000),
            integration ? "Remote Access 2.0" : "Application",
            integration ? "ETL" : "Browser",
            "Standard",
            "Success");
  }

  private static long at(int hour, int minute) {
    return TrafficGenerator.millis(DAY, LocalTime.of(hour, minute));
  }

  private static List<String> ruleIds(List<Alert> alerts) {
    synchronized (alerts) {
      return alerts.stream().map(Alert::ruleId).toList();
    }
  }

  private static Alert byRule(List<Alert> alerts, String rule) {
    synchronized (alerts) {
      return alerts.stream().filter(a -> a.ruleId().equals(rule)).findFirst().orElseThrow();
    }
  }

  /** The org's Pub/Sub and REST servers, and an engine that subscribes and polls. */
  private final class Harness implements AutoCloseable {
    final PubSubServer server;
    final RestApiServer rest;
    final LeakwatchEngine engine;

    Harness(LoginHistory history, int pageSize, List<Alert> alerts, Path state) throws Exception {
      this(history, pageSize, alerts, state, rest -> {});
    }

    Harness(
        LoginHistory history,
        int pageSize,
        List<Alert> alerts,
        Path state,
        java.util.function.Consumer<RestApiServer> before)
        throws Exception {
      this(history, pageSize, alerts, state, before, null);
    }

    Harness(
        LoginHistory history,
        int pageSize,
        List<Alert> alerts,
        Path state,
        java.util.function.Consumer<RestApiServer> before,
        TokenSource tokens)
        throws Exception {
      this(history, pageSize, alerts, state, before, tokens, null);
    }

    Harness(
        LoginHistory history,
        int pageSize,
        List<Alert> alerts,
        Path state,
        java.util.function.Consumer<RestApiServer> before,
        TokenSource tokens,
        Path deadLetters)
        throws Exception {
      Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
      SelfSignedCertificate restTls = SelfSignedCertificate.generate(dir.resolve("rest-tls"));
      rest = RestApiServer.start(restTls, TOKEN::equals).serving(history).pageSize(pageSize);
      restUrl = rest.url();
      before.accept(rest);
      server =
          PubSubServer.start(
              // Keepalives often: a stream that reopened on a server with nothing to send is known
              // to be up (and holds the poll's logins back no longer) at the first one, not 30 s
              // on.
              PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                  .withTimers(Duration.ofMillis(200), Duration.ofSeconds(60)),
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
                  .tokens(
                      tokens != null
                          ? tokens
                          : TokenSource.fixed(new AccessGrant(TOKEN, rest.url(), org.orgId())))
                  .topics(List.of(EventSchemas.LOGIN))
                  .start(ReplayStart.earliest())
                  .profile(OrgProfileLoader.load(dir.resolve("profile.yaml")))
                  .pack(RulePackLoader.fromDirectory(Path.of("../rules/pack")))
                  .sinks(List.of(collect))
                  .deadLetters(
                      deadLetters == null ? DeadLetters.none() : DeadLetters.toFile(deadLetters))
                  .durability(
                      state == null
                          ? Durability.none()
                          : new Durability(
                                  state,
                                  ReplayStart.earliest(),
                                  Durability.DEFAULT_HORIZON_MILLIS,
                                  Durability.DEFAULT_STALE_MILLIS,
                                  false)
                              .withStore(store, store == null ? null : ORG_NAME))
                  .build()
                  .withLoginHistory(
                      LoginHistorySettings.every(Duration.ofMillis(50))
                          .withTrustCertificate(restTls.certificate())
                          .withLookback(Duration.ofMillis(System.currentTimeMillis() - at(0, 0)))
                          .withAccessCheck(accessCheck))
                  .withEventTimeBound(eventTimeBound));
    }

    io.leakwatch.loginpoll.LoginHistoryPoll poll() {
      return engine.loginHistoryPoll();
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
