package io.leakwatch.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.decision.ResponseAction;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePackLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic responses on real-shaped evidence: the default pack and a responder in auto mode, with
 * an executor that records what it was asked to do.
 */
class SafeResponseTest {
  private static final String TELEHEALTH = "0055f000003TeLeAAA";
  private static CompiledPack pack;

  @TempDir Path dir;
  private final List<String> executed = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void compile() {
    pack = CompiledPack.compile(RulePackLoader.fromDirectory(Path.of("../rules/pack")));
  }

  private static Map<String, Object> api(
      String at, String id, String user, String ip, String session) {
    Map<String, Object> event = new HashMap<>();
    event.put("EventDate", "2026-03-10T" + at + "Z");
    event.put("EventIdentifier", id);
    event.put("UserId", user);
    event.put("SourceIp", ip);
    event.put("SessionKey", session);
    event.put("ApiType", "REST");
    event.put("Operation", "Query");
    event.put("QueriedEntities", "Contact");
    event.put("RowsProcessed", 5);
    event.put("RowsReturned", 5);
    return event;
  }

  private record Played(List<Alert> alerts, List<ActionRecord> actions) {}

  /** Plays events through the pipeline and every alert through an auto-mode responder. */
  private Played play(List<Map<String, Object>> events, List<String> channels) throws Exception {
    List<Alert> alerts = new ArrayList<>();
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            pack,
            OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")),
            DetectionPipeline.Options.defaults())) {
      for (int i = 0; i < events.size(); i++) {
        alerts.addAll(pipeline.process(channels.get(i), events.get(i), 0));
      }
      alerts.addAll(pipeline.advanceTo(pipeline.eventTime() + 3_600_000L));
    }
    ActionExecutor recording =
        new ActionExecutor() {
          @Override
          public ActionOutcome execute(ResponseAction action, String userId) {
            executed.add(action.label() + " " + userId);
            return ActionOutcome.done(200, 1, 1);
          }

          @Override
          public String describe(ResponseAction action) {
            return action.label();
          }
        };
    List<ActionRecord> actions = new ArrayList<>();
    try (Responder responder =
        new Responder(
            ResponseSettings.of(ResponseMode.AUTO, dir.resolve("audit.jsonl")),
            AuditLog.open(dir.resolve("audit.jsonl"), Clock.systemUTC()),
            recording,
            Clock.systemUTC())) {
      for (Alert alert : alerts) {
        actions.addAll(responder.submit(alert).get(10, TimeUnit.SECONDS));
      }
    }
    return new Played(alerts, actions);
  }

  private static List<String> api(int n) {
    return java.util.Collections.nCopies(n, "/event/ApiEventStream");
  }

  @Test
  void anInternalPlusOfficeSessionRequestsNoAction() throws Exception {
    // One integration session: Apex-side calls show "Salesforce.com IP", worker calls its office.
    Played played =
        play(
            List.of(
                api("15:00:00", "a1", TELEHEALTH, "Salesforce.com IP", "tele-s1"),
                api("15:02:00", "a2", TELEHEALTH, "203.0.113.10", "tele-s1"),
                api("15:04:00", "a3", TELEHEALTH, "Salesforce.com IP", "tele-s1"),
                api("15:05:00", "a4", TELEHEALTH, null, "tele-s1")),
            api(4));
    assertEquals(List.of(), played.alerts());
    assertEquals(List.of(), played.actions());
    assertEquals(List.of(), executed);
  }

  @Test
  void aSecondRealAddressOnTheSessionIsStillCutOff() throws Exception {
    Played played =
        play(
            List.of(
                api("15:00:00", "a1", TELEHEALTH, "203.0.113.10", "tele-s1"),
                api("15:02:00", "a2", TELEHEALTH, "Salesforce.com IP", "tele-s1"),
                api("15:03:00", "a3", TELEHEALTH, "192.0.2.50", "tele-s1")),
            api(3));
    assertTrue(played.alerts().stream().anyMatch(a -> a.ruleId().equals("LW-006")));
    assertEquals(
        List.of("endSession " + TELEHEALTH, "revokeTokens " + TELEHEALTH),
        executed.stream().sorted().toList());
  }

  @Test
  void aHijackTiedToReadsOnlyByAddressWaitsForAHuman() throws Exception {
    String person = "005000000000001AAA";
    Map<String, Object> signal = new HashMap<>();
    signal.put("EventDate", "2026-03-10T17:00:00Z");
    signal.put("EventIdentifier", "t1");
    signal.put("UserId", person);
    signal.put("SessionKey", null);
    signal.put("SourceIp", "192.0.2.9");
    signal.put("Score", 0.9);
    Played played =
        play(
            List.of(signal, api("17:05:00", "e1", person, "192.0.2.9", "p-s1")),
            List.of("/event/SessionHijackingEvent", "/event/ApiEventStream"));
    assertTrue(played.alerts().stream().anyMatch(a -> a.severity().label().equals("critical")));
    assertEquals(List.of(), executed, "nothing ran");
    assertEquals(
        List.of(ActionRecord.State.PENDING),
        played.actions().stream().map(ActionRecord::state).toList(),
        "endSession waits for approval");
  }

  @Test
  void anAutomaticActionOnSomethingThatIsNotAUserIdWaitsForAHuman() throws Exception {
    // A hijacked session read PHI (an automatic endSession), but UserId is not a user id.
    Map<String, Object> signal = new HashMap<>();
    signal.put("EventDate", "2026-03-10T17:00:00Z");
    signal.put("EventIdentifier", "t1");
    signal.put("UserId", "Salesforce.com IP");
    signal.put("SessionKey", "s9");
    signal.put("SourceIp", "192.0.2.9");
    signal.put("Score", 0.9);
    Played played =
        play(
            List.of(signal, api("17:05:00", "e1", "Salesforce.com IP", "192.0.2.9", "s9")),
            List.of("/event/SessionHijackingEvent", "/event/ApiEventStream"));
    assertEquals(List.of(), executed, "nothing ran");
    assertEquals(
        List.of(ActionRecord.State.PENDING),
        played.actions().stream().map(ActionRecord::state).toList());
  }
}
