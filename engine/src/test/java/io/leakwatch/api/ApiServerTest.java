package io.leakwatch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.TestPacks;
import io.leakwatch.store.AlertStore;
import io.leakwatch.store.StoreSettings;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API over real HTTP on loopback, against real detection pipelines on the real rule pack.
 */
class ApiServerTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  private static final String OTHER_TOKEN = "second-token-0123456789abcdef";
  private static final Instant T0 = Instant.parse("2026-03-10T09:00:00Z");

  @TempDir Path dir;
  private TestOrg acme;
  private TestOrg beta;
  private AlertHistory history;
  private ApiServer server;
  private ApiClient api;
  private final TestDrills drills = new TestDrills();

  private static CompiledPack pack;

  @BeforeAll
  static void compile() {
    pack = CompiledPack.compile(RulePackLoader.fromDirectory(Path.of("../rules/pack")));
  }

  @BeforeEach
  void start() throws Exception {
    acme = new TestOrg("acme", TestPacks.copyDefaultPack(dir.resolve("acme-rules")), pack);
    beta = new TestOrg("beta", TestPacks.copyDefaultPack(dir.resolve("beta-rules")), pack);
    history = new AlertHistory(AlertStore.open(StoreSettings.embedded(dir)));
    server =
        ApiServer.start(
            new ApiConfig("127.0.0.1", 0, List.of(TOKEN, OTHER_TOKEN), null, null),
            List.of(acme, beta),
            history,
            drills);
    api =
        new ApiClient(
            HttpClient.newHttpClient(), "http://127.0.0.1:" + server.port(), "Bearer " + TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    acme.close();
    beta.close();
    history.close();
  }

  @Test
  void everyRouteRefusesARequestWithoutAValidBearerToken() throws Exception {
    List<String[]> routes =
        List.of(
            new String[] {"GET", "/health"},
            new String[] {"GET", "/ready"},
            new String[] {"GET", "/metrics"},
            new String[] {"GET", "/alerts"},
            new String[] {"GET", "/alerts?rule=LW-001"},
            new String[] {"GET", "/rules"},
            new String[] {"POST", "/rules/reload"},
            new String[] {"POST", "/rules/acme/reload"},
            new String[] {"GET", "/drills"},
            new String[] {"POST", "/drills"},
            new String[] {"GET", "/drills/d-1"},
            new String[] {"GET", "/actions"},
            new String[] {"POST", "/actions/acme/a-1/approve"},
            new String[] {"POST", "/actions/acme/a-1/reject"},
            new String[] {"GET", "/no-such-route"});
    List<String> refused =
        List.of(
            "",
            "Bearer ",
            "Bearer wrong-token-0123456789abcdef",
            "Basic " + TOKEN,
            TOKEN,
            "Bearer " + TOKEN.substring(0, TOKEN.length() - 1),
            "Bearer " + TOKEN + "x");
    for (String[] route : routes) {
      HttpResponse<String> none =
          api.send(route[0], route[1], route[0].equals("POST") ? "{}" : null, null);
      assertEquals(401, none.statusCode(), route[0] + " " + route[1] + " without a token");
      assertTrue(
          none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
          "tells the client how to authenticate");
      for (String header : refused) {
        HttpResponse<String> wrong =
            api.send(route[0], route[1], route[0].equals("POST") ? "{}" : null, header);
        assertEquals(
            401,
            wrong.statusCode(),
            route[0] + " " + route[1] + " with Authorization '" + header + "'");
        assertFalse(wrong.body().contains(TOKEN), "the answer never echoes a token");
      }
    }
    assertEquals(0, drills.started.get(), "no drill started without a token");
    assertEquals(200, api.get("/health").statusCode());
    assertEquals(
        200,
        api.send("GET", "/health", null, "Bearer " + OTHER_TOKEN).statusCode(),
        "any configured token works");
    assertEquals(
        200,
        api.send("GET", "/health", null, "bearer " + TOKEN).statusCode(),
        "the scheme is case-insensitive");
    assertEquals(
        404, api.get("/no-such-route").statusCode(), "authenticated, an unknown route is a 404");
  }

  @Test
  void readyOnlyWhenEverySubscriptionOfEveryOrgIsLive() throws Exception {
    assertEquals(200, api.get("/ready").statusCode());
    beta.live("/event/LoginEventStream", false);
    HttpResponse<String> down = api.get("/ready");
    assertEquals(503, down.statusCode());
    JsonNode body = ApiClient.JSON.readTree(down.body());
    assertEquals("[\"beta /event/LoginEventStream\"]", body.get("notLive").toString());
    assertEquals("down", body.at("/orgs/beta/~1event~1LoginEventStream").asText());
    assertEquals("live", body.at("/orgs/acme/~1event~1LoginEventStream").asText());
    assertEquals(200, api.get("/health").statusCode(), "the process is still up");
    beta.live("/event/LoginEventStream", true);
    assertEquals(200, api.get("/ready").statusCode());
    beta.blind("/query/LoginHistory", "the running user lacks Manage Users");
    JsonNode blind = ApiClient.JSON.readTree(api.get("/ready").body());
    assertEquals(
        "[\"beta /query/LoginHistory: the running user lacks Manage Users\"]",
        blind.get("notLive").toString(),
        "a source that cannot see its events says why");
    beta.live("/query/LoginHistory", true);
    assertEquals(200, api.get("/ready").statusCode());
  }

  @Test
  void metricsAreValidPrometheusTextAndCountersMoveAfterEvents() throws Exception {
    PrometheusScrape before = PrometheusScrape.parse(api.get("/metrics").body());
    assertEquals("counter", before.types.get("leakwatch_events_received_total"));
    assertEquals("histogram", before.types.get("leakwatch_event_processing_seconds"));
    assertEquals(
        1,
        before.value("leakwatch_subscription_live{org=\"acme\",topic=\"/event/ApiEventStream\"}"));
    assertEquals(0, before.value("leakwatch_event_processing_seconds_count{org=\"acme\"}"));
    assertEquals(
        0,
        before.value(
            "leakwatch_events_out_of_order_total{org=\"acme\",topic=\"/event/ApiEventStream\"}"),
        "every topic's out-of-order series is there from zero");
    for (String reason : List.of("idle-grace", "quiet", "down")) {
      assertEquals(
          0,
          before.value("leakwatch_merge_holds_total{org=\"acme\",reason=\"" + reason + "\"}"),
          reason);
      assertEquals(
          0,
          before.value(
              "leakwatch_merge_wait_seconds_total{org=\"acme\",reason=\"" + reason + "\"}"),
          reason);
    }

    String user = "005000000000001AAA";
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      alerts.addAll(
          acme.process(
              "/event/ApiEventStream",
              Map.of(
                  "EventDate",
                  T0.plusSeconds(i * 60L).toString(),
                  "EventIdentifier",
                  "e" + i,
                  "UserId",
                  user,
                  "SourceIp",
                  "198.51.100.5",
                  "QueriedEntities",
                  "Contact",
                  "RowsProcessed",
                  60),
              T0.toEpochMilli()));
    }
    for (Alert a : alerts) {
      history.record("acme", a);
    }
    assertTrue(
        alerts.stream().anyMatch(a -> a.ruleId().equals("LW-001")),
        "180 patient rows in 3 minutes is a bulk read: " + alerts);

    HttpResponse<String> response = api.get("/metrics");
    assertTrue(
        response
            .headers()
            .firstValue("Content-Type")
            .orElse("")
            .startsWith("text/plain; version=0.0.4"));
    PrometheusScrape after = PrometheusScrape.parse(response.body());
    assertEquals(
        3,
        after.value(
            "leakwatch_events_received_total{org=\"acme\",topic=\"/event/ApiEventStream\"}"));
    assertEquals(
        3,
        after.value(
            "leakwatch_events_processed_total{org=\"acme\",topic=\"/event/ApiEventStream\"}"));
    assertTrue(after.value("leakwatch_detections_total{org=\"acme\",rule=\"LW-001\"}") >= 1);
    assertTrue(after.value("leakwatch_alerts_total{org=\"acme\",rule=\"LW-001\"}") >= 1);
    // Every rule's failure series exists from zero, so an alert on any increase sees the first.
    assertEquals(0, after.value("leakwatch_rule_failures_total{org=\"acme\",rule=\"LW-001\"}"));
    assertEquals(0, after.value("leakwatch_alerts_refused_total{org=\"acme\",rule=\"LW-001\"}"));
    assertEquals(3, after.value("leakwatch_event_processing_seconds_count{org=\"acme\"}"));
    assertEquals(
        3, after.value("leakwatch_event_processing_seconds_bucket{org=\"acme\",le=\"+Inf\"}"));
    assertEquals(
        0,
        after.valueOr(
            "leakwatch_events_received_total{org=\"beta\",topic=\"/event/ApiEventStream\"}", 0),
        "orgs never mix");
    assertTrue(
        after.value(
                "leakwatch_subscription_lag_seconds{org=\"acme\",topic=\"/event/ApiEventStream\"}")
            > 0);
    double previous = 0;
    for (String le : List.of("1.0E-4", "0.001", "0.01", "0.1", "1.0", "10.0", "+Inf")) {
      double bucket =
          after.value("leakwatch_event_processing_seconds_bucket{org=\"acme\",le=\"" + le + "\"}");
      assertTrue(bucket >= previous, "buckets are cumulative");
      previous = bucket;
    }
    assertEquals(
        1,
        after.value(
            "leakwatch_rule_pack_info{org=\"acme\",pack=\"leakwatch-default\",rules=\""
                + acme.activePack().rules().size()
                + "\",sha256=\""
                + acme.activePack().sha256()
                + "\",version=\"0.1.0\"}"));
    // The JVM and the process, beside the pipeline (Micrometer's binders).
    for (String family :
        List.of(
            "jvm_memory_used_bytes",
            "jvm_gc_memory_allocated_bytes_total",
            "jvm_threads_live_threads",
            "process_cpu_usage",
            "process_uptime_seconds",
            "process_files_open_files")) {
      assertTrue(after.types.containsKey(family), family + " is on the page");
    }
    assertFalse(response.body().contains("198.51.100.5"), "no event value is a label");
  }

  @Test
  void alertsFilterByTimeSeverityRulePrincipalAndOrgAndPageWithACursor() throws Exception {
    // 30 alerts and a second revision of the last, from two orgs, each recorded in the store; the
    // first 20 before a restart of the history (a new process on the same store).
    List<Alert> all = new ArrayList<>();
    String[] rules = {"LW-001", "LW-003", "LW-013"};
    String[] severities = {"high", "medium", "critical"};
    for (int i = 0; i < 30; i++) {
      all.add(
          alert(
              "a" + i,
              rules[i % 3],
              severities[i % 3],
              "005P" + (i % 4),
              T0.plusSeconds(i * 60L),
              1));
    }
    all.add(alert("a29", "LW-013", "critical", "005P1", T0.plusSeconds(29 * 60L + 5), 2));
    try (AlertHistory earlier = new AlertHistory(AlertStore.open(StoreSettings.embedded(dir)))) {
      for (int j = 0; j < 20; j++) {
        earlier.record(j % 2 == 0 ? "beta" : "acme", all.get(j));
      }
    }
    for (int j = 15; j < all.size(); j++) {
      // 15 to 19 again: a redelivery after the restart records nothing new.
      history.record(j % 2 == 0 ? "beta" : "acme", all.get(j));
    }

    JsonNode everything = api.json("/alerts?limit=1000");
    assertEquals(31, everything.get("alerts").size(), "each revision once, across the restart");
    assertEquals("a29", everything.at("/alerts/0/id").asText(), "newest first");
    assertEquals(2, everything.at("/alerts/0/revision").asInt());
    assertNull(everything.get("nextCursor").textValue());

    assertEquals(10, api.json("/alerts?rule=LW-003").get("alerts").size());
    assertEquals(
        21, api.json("/alerts?severity=high").get("alerts").size(), "a minimum: high and critical");
    assertEquals(11, api.json("/alerts?severity=critical").get("alerts").size());
    assertEquals(8, api.json("/alerts?principal=005P0").get("alerts").size());
    JsonNode window =
        api.json("/alerts?from=" + T0.plusSeconds(600) + "&to=" + T0.plusSeconds(900));
    assertEquals(List.of("a14", "a13", "a12", "a11", "a10"), ids(window));
    JsonNode beta = api.json("/alerts?org=beta");
    assertEquals(16, beta.get("alerts").size(), "every stored alert knows its org");
    beta.get("alerts").forEach(a -> assertEquals("beta", a.get("org").asText()));
    assertEquals(
        List.of("a24", "a12", "a0"),
        ids(api.json("/alerts?rule=LW-001&severity=high&principal=005P0")),
        "filters combine");

    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = api.json("/alerts?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
      page.get("alerts")
          .forEach(
              a ->
                  assertTrue(
                      seen.add(a.get("id").asText() + "#" + a.get("revision").asInt()),
                      "no alert twice"));
      cursor = page.get("nextCursor").textValue();
      pages++;
    } while (cursor != null);
    assertEquals(31, seen.size());
    assertEquals(5, pages);

    assertEquals(400, api.get("/alerts?limit=0").statusCode());
    assertEquals(400, api.get("/alerts?severity=urgent").statusCode());
    assertEquals(400, api.get("/alerts?from=yesterday").statusCode());
    assertEquals(400, api.get("/alerts?cursor=nonsense").statusCode());
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("alerts").forEach(a -> ids.add(a.get("id").asText()));
    return ids;
  }

  @Test
  void rulesListPerOrgAndReloadValidatesBeforeSwapping() throws Exception {
    JsonNode rules = api.json("/rules");
    assertEquals("acme", rules.at("/orgs/0/org").asText());
    assertEquals("leakwatch-default", rules.at("/orgs/0/pack/name").asText());
    assertEquals(acme.activePack().sha256(), rules.at("/orgs/0/pack/sha256").asText());
    assertEquals(acme.activePack().rules().size(), rules.at("/orgs/0/pack/rules").size());
    assertEquals(
        "LW-001",
        rules.at("/orgs/0/pack/rules").findValuesAsText("id").stream()
            .sorted()
            .findFirst()
            .orElseThrow());

    String original = acme.activePack().sha256();
    Path packYaml = acme.rulesFolder().resolve("pack.yaml");
    Files.writeString(
        packYaml, Files.readString(packYaml).replace("version: 0.1.0", "version: 0.1.1"));
    HttpResponse<String> good = api.post("/rules/acme/reload", "");
    assertEquals(200, good.statusCode(), good.body());
    assertEquals("0.1.1", ApiClient.JSON.readTree(good.body()).at("/reloaded/0/version").asText());
    assertEquals("0.1.1", acme.activePack().version());
    String reloaded = acme.activePack().sha256();
    assertNotEquals(original, reloaded);
    assertEquals("0.1.0", beta.activePack().version(), "only the named org reloaded");

    Path epl = beta.rulesFolder().resolve("bulk-phi-read/detect.epl");
    Files.writeString(epl, Files.readString(epl) + "\nselect broken from\n");
    String betaBefore = beta.activePack().sha256();
    HttpResponse<String> broken = api.post("/rules/beta/reload", "");
    assertEquals(422, broken.statusCode(), broken.body());
    JsonNode error = ApiClient.JSON.readTree(broken.body());
    assertEquals("beta", error.get("org").asText());
    assertTrue(error.get("error").asText().contains("bulk-phi-read/detect.epl"), error.toString());
    assertTrue(
        error.get("error").asText().matches("(?s).*detect\\.epl:\\d+.*"),
        "names the line: " + error);
    assertEquals(betaBefore, beta.activePack().sha256(), "the running rules stay");

    assertEquals(404, api.post("/rules/gamma/reload", "").statusCode());
  }

  @Test
  void drillsStartListAndReadThroughTheLauncher() throws Exception {
    HttpResponse<String> started =
        api.post("/drills", "{\"org\": \"acme\", \"scenarios\": [\"bulk-export\"]}");
    assertEquals(202, started.statusCode(), started.body());
    JsonNode run = ApiClient.JSON.readTree(started.body());
    assertEquals("running", run.get("state").asText());
    assertEquals(
        "/drills/" + run.get("id").asText(),
        started.headers().firstValue("Location").orElseThrow());
    drills.finish(run.get("id").asText());
    JsonNode read = api.json("/drills/" + run.get("id").asText());
    assertEquals("passed", read.get("state").asText());
    assertEquals(1, read.at("/result/detected").asInt());
    assertEquals(1, api.json("/drills").get("drills").size());
    assertEquals(404, api.get("/drills/d-99").statusCode());
    assertEquals(
        400,
        api.post("/drills", "{\"org\": \"nobody\", \"scenarios\": \"all\"}").statusCode(),
        "the launcher refuses an unknown org");
    assertEquals(400, api.post("/drills", "not json").statusCode());
    assertEquals(400, api.post("/drills", "{\"scenarios\": \"bulk-export\"}").statusCode());
  }

  @Test
  void withoutADrillLauncherDrillsAreNotImplemented() throws Exception {
    try (ApiServer bare =
        ApiServer.start(
            new ApiConfig("127.0.0.1", 0, List.of(TOKEN), null, null),
            List.of(acme),
            history,
            null)) {
      ApiClient client =
          new ApiClient(
              HttpClient.newHttpClient(), "http://127.0.0.1:" + bare.port(), "Bearer " + TOKEN);
      assertEquals(501, client.get("/drills").statusCode());
      assertEquals(501, client.post("/drills", "{}").statusCode());
      assertEquals(
          401, client.send("GET", "/drills", null, null).statusCode(), "still behind the token");
    }
  }

  @Test
  void responseActionsWaitForAHumanThroughTheApi() throws Exception {
    List<String> executed = new java.util.concurrent.CopyOnWriteArrayList<>();
    var executor =
        new io.leakwatch.response.ActionExecutor() {
          @Override
          public io.leakwatch.response.ActionOutcome execute(
              io.leakwatch.decision.ResponseAction action, String userId) {
            executed.add(action.label() + " " + userId);
            return io.leakwatch.response.ActionOutcome.done(204, 1, 1);
          }

          @Override
          public String describe(io.leakwatch.decision.ResponseAction action) {
            return "test " + action.label();
          }
        };
    Path audit = dir.resolve("response-audit.jsonl");
    var responder =
        new io.leakwatch.response.Responder(
            io.leakwatch.response.ResponseSettings.of(
                io.leakwatch.response.ResponseMode.APPROVAL, audit),
            io.leakwatch.response.AuditLog.open(audit, java.time.Clock.systemUTC()),
            executor,
            java.time.Clock.systemUTC());
    try {
      acme.responder(responder);
      Alert decided = alert("lw-resp1", "LW-006", "critical", "005RESP", T0, 1);
      Alert withActions =
          decided.toBuilder()
              .integration(null)
              .drill(false)
              .receivedNanos(0)
              .revision(1)
              .incident(null)
              .suppression(null)
              .responses(
                  List.of(
                      new io.leakwatch.decision.ResponseRequest(
                          io.leakwatch.decision.ResponseAction.END_SESSION, "LW-006 test", false),
                      new io.leakwatch.decision.ResponseRequest(
                          io.leakwatch.decision.ResponseAction.REVOKE_TOKENS,
                          "LW-006 test",
                          false)))
              .build();
      responder.submit(withActions).get(10, java.util.concurrent.TimeUnit.SECONDS);

      JsonNode listed = api.json("/actions");
      assertEquals("approval", listed.at("/orgs/acme/mode").asText());
      assertEquals("off", listed.at("/orgs/beta/mode").asText());
      JsonNode pending = listed.at("/orgs/acme/pending");
      assertEquals(2, pending.size(), listed.toString());
      String end = pending.get(0).get("id").asText();
      String revoke = pending.get(1).get("id").asText();
      String approveEnd = "/actions/acme/" + end + "/approve";
      assertEquals(
          401,
          api.send("POST", approveEnd, "{\"approver\":\"jane\"}", null).statusCode(),
          "behind the token");
      assertEquals(400, api.post(approveEnd, "{}").statusCode(), "an approval names who approves");
      assertEquals(List.of(), executed, "nothing runs before a human approves");

      HttpResponse<String> approved = api.post(approveEnd, "{\"approver\":\"jane.doe\"}");
      assertEquals(200, approved.statusCode(), approved.body());
      TestSupportAwait.until(() -> executed.size() == 1, "the approved action to run");
      assertEquals(List.of("endSession 005RESP"), executed);
      assertEquals(
          409, api.post(approveEnd, "{\"approver\":\"jane.doe\"}").statusCode(), "approved once");

      String rejectRevoke = "/actions/acme/" + revoke + "/reject";
      assertEquals(
          400,
          api.post(rejectRevoke, "{\"approver\":\"sam\"}").statusCode(),
          "a rejection gives a reason");
      HttpResponse<String> rejected =
          api.post(rejectRevoke, "{\"approver\":\"sam\",\"reason\":\"known vendor test\"}");
      assertEquals(200, rejected.statusCode(), rejected.body());
      assertEquals("rejected", JSON_READER.readTree(rejected.body()).get("state").asText());
      assertEquals(
          404,
          api.post("/actions/acme/no-such-action/approve", "{\"approver\":\"jane\"}").statusCode());
      assertEquals(
          404,
          api.post("/actions/beta/" + end + "/approve", "{\"approver\":\"jane\"}").statusCode(),
          "off for beta");
      assertEquals(List.of("endSession 005RESP"), executed, "the rejected action never ran");
      assertEquals(0, api.json("/actions").at("/orgs/acme/pending").size());
    } finally {
      responder.close();
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON_READER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Waits for a condition with a deadline (never a fixed sleep). */
  private static final class TestSupportAwait {
    static void until(java.util.function.BooleanSupplier condition, String what)
        throws InterruptedException {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out waiting for " + what);
        }
        Thread.sleep(20);
      }
    }
  }

  private static Alert alert(
      String id, String rule, String severity, String principal, Instant detected, int revision)
      throws Exception {
    return AlertJson.fromJson(
        """
        {"id":"%s","ruleId":"%s","title":"test","severity":"%s","principal":"%s","count":1,"objects":"Contact",
         "firstEventTime":"%s","lastEventTime":"%s","detectedAt":"%s","evidence":[],"reasons":[],"decidedBy":[],"attack":[],
         "controls":{},"drill":false,"revision":%d}"""
            .formatted(id, rule, severity, principal, detected, detected, detected, revision));
  }

  /** A launcher that records requests; the test says when a drill finishes. */
  private static final class TestDrills implements DrillLauncher {
    final AtomicInteger started = new AtomicInteger();
    final Map<String, DrillRun> runs = new ConcurrentHashMap<>();

    @Override
    public DrillRun start(DrillRequest request) {
      if (request.org() != null && !request.org().equals("acme")) {
        throw new IllegalArgumentException("no org named " + request.org());
      }
      DrillRun run =
          new DrillRun(
              "d-" + started.incrementAndGet(), "acme", "running", Instant.now(), null, Map.of());
      runs.put(run.id(), run);
      return run;
    }

    void finish(String id) {
      DrillRun run = runs.get(id);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("scenarios", 1);
      result.put("detected", 1);
      runs.put(id, new DrillRun(id, run.org(), "passed", run.started(), Instant.now(), result));
    }

    @Override
    public List<DrillRun> list() {
      return runs.values().stream()
          .sorted(java.util.Comparator.comparing(DrillRun::started))
          .toList();
    }

    @Override
    public Optional<DrillRun> find(String id) {
      return Optional.ofNullable(runs.get(id));
    }
  }
}
