package io.leakwatch.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.cep.SavedTable;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.rulepack.RulePackException;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.TestPacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Learned state saved with its positions and restored: eight days learned, a crash, a restart from
 * the saved state, and day nine's slow leak and new-country login raise exactly what a run without
 * the crash raises; the tables end exactly as they would have (nothing reprocessed counts twice).
 * Runs the default pack through the real pipeline, the way the detection worker drives it.
 */
class LearnedStateTest {
  private static final String CLINICIAN = "005000000000001AAA";
  private static final String OTHER = "005000000000002AAA";
  private static final long HORIZON = 60 * 60_000L;
  private static CompiledPack pack;
  private static OrgProfile profile;

  @TempDir Path dir;

  /** One event of the test org, with the replay id its topic gave it. */
  private record Event(String topic, ReplayId replayId, Map<String, Object> fields) {}

  @TempDir static Path packs;

  @BeforeAll
  static void compile() throws Exception {
    pack = CompiledPack.compile(RulePackLoader.fromDirectory(learningRules(packs.resolve("base"))));
    profile = OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml"));
  }

  /**
   * The default pack's two rules that learn (LW-013, LW-014), with what every rule shares: quicker
   * to compile and run than the whole pack, and the same EPL.
   */
  private static Path learningRules(Path target) throws Exception {
    Path all = TestPacks.copyDefaultPack(Files.createTempDirectory(packs, "all"));
    Files.createDirectories(target);
    try (var entries = Files.list(all)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (Files.isRegularFile(entry)
            || name.equals("new-country-login")
            || name.equals("slow-exfiltration")) {
          Files.move(entry, target.resolve(name));
        }
      }
    }
    return target;
  }

  /**
   * Mar 2–9: the clinician signs in from the office at 08:00 and reads 40 patient rows at 10:00;
   * another person reads 30 at 15:00. Mar 10: she pulls 45 rows every 25 minutes from 10:30 (ten
   * times), and at 14:20 signs in from Romania.
   */
  private static List<Event> nineDays() {
    List<Event> events = new ArrayList<>();
    for (int day = 2; day <= 10; day++) {
      String date = "2026-03-%02d".formatted(day);
      events.add(login(date + "T08:00:00Z", "198.51.100.5", "US"));
      if (day < 10) {
        events.add(read(date + "T10:00:00Z", CLINICIAN, 40));
      } else {
        Instant first = Instant.parse(date + "T10:30:00Z");
        for (int i = 0; i < 10; i++) {
          events.add(read(first.plusSeconds(i * 25 * 60L).toString(), CLINICIAN, 45));
        }
        events.add(login(date + "T14:20:00Z", "5.2.77.146", "RO"));
      }
      events.add(read(date + "T15:00:00Z", OTHER, 30));
    }
    events.sort(java.util.Comparator.comparing(e -> (String) e.fields().get("EventDate")));
    List<Event> numbered = new ArrayList<>();
    Map<String, Integer> next = new TreeMap<>();
    for (Event e : events) {
      int n = next.merge(e.topic(), 1, Integer::sum);
      String prefix = e.topic().contains("Login") ? "01" : "02";
      numbered.add(
          new Event(e.topic(), ReplayId.fromHex(prefix + "%014x".formatted(n)), e.fields()));
    }
    return numbered;
  }

  private static int counter;

  private static Event login(String at, String ip, String country) {
    return new Event(
        "/event/LoginEventStream",
        null,
        Map.of(
            "EventDate", at,
            "EventIdentifier", "l" + counter++,
            "UserId", CLINICIAN,
            "SourceIp", ip,
            "Status", "Success",
            "LoginType", "Application",
            "CountryIso", country));
  }

  private static Event read(String at, String user, int rows) {
    return new Event(
        "/event/ApiEventStream",
        null,
        Map.of(
            "EventDate",
            at,
            "EventIdentifier",
            "r" + counter++,
            "UserId",
            user,
            "SourceIp",
            "198.51.100.5",
            "SessionKey",
            "s-" + user + at.substring(0, 10),
            "QueriedEntities",
            "Contact",
            "RowsProcessed",
            rows));
  }

  private static DetectionPipeline pipeline(CompiledPack compiled) {
    return new DetectionPipeline(
        compiled, profile, new DetectionPipeline.Options(0, false, DeadLetters.none()));
  }

  private static final long END = Instant.parse("2026-03-10T23:59:00Z").toEpochMilli();

  /** A run that drives the pipeline and takes learned state as the detection worker does. */
  private static final class Run {
    final DetectionPipeline pipeline;
    final SnapshotSchedule schedule;
    final Map<String, Alert> alerts = new LinkedHashMap<>();
    LearnedState saved;

    Run(DetectionPipeline pipeline, Map<String, LearnedState.Position> start) {
      this.pipeline = pipeline;
      this.schedule = new SnapshotSchedule(HORIZON, start);
    }

    void process(Event event) {
      collect(pipeline.process(event.topic(), event.fields(), 0));
      long now = pipeline.eventTime();
      schedule.processed(event.topic(), event.replayId(), now);
      LearnedState ready = schedule.ready(now);
      if (ready != null) {
        saved = ready; // every alert before it is delivered by now: the worker saves it
      }
      if (schedule.due(now)) {
        schedule.taken(pipeline.learnedState(schedule.positions()));
      }
    }

    void finish() {
      collect(pipeline.advanceTo(END));
    }

    /** Alerts by delivery key: one delivered again after a restart is the ledger's duplicate. */
    void collect(List<Alert> raised) {
      raised.forEach(a -> alerts.putIfAbsent(a.deliveryKey(), a));
    }

    Map<String, Set<List<Object>>> tables() {
      Map<String, Set<List<Object>>> out = new TreeMap<>();
      pipeline.learnedState(Map.of()).tables().forEach((id, t) -> out.put(id, rows(t)));
      return out;
    }
  }

  private static Set<List<Object>> rows(SavedTable table) {
    return new HashSet<>(table.rows());
  }

  private static Map<String, LearnedState.Position> noPositions() {
    return Map.of();
  }

  /** What happens after the restart: the events after each topic's saved position. */
  private static List<Event> after(List<Event> events, Map<String, LearnedState.Position> from) {
    List<Event> out = new ArrayList<>();
    for (Event e : events) {
      LearnedState.Position p = from.get(e.topic());
      if (p == null || p.after() == null || e.replayId().toHex().compareTo(p.after().toHex()) > 0) {
        out.add(e);
      }
    }
    return out;
  }

  private static Set<String> described(Map<String, Alert> alerts) {
    Set<String> out = new TreeSet<>();
    alerts.values().forEach(a -> out.add(a.ruleId() + " " + a.principal() + " " + a.id()));
    return out;
  }

  private Run uninterrupted(List<Event> events) {
    Run clean = new Run(pipeline(pack), noPositions());
    events.forEach(clean::process);
    clean.finish();
    return clean;
  }

  private static int indexOf(List<Event> events, String eventDate) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).fields().get("EventDate").equals(eventDate)) {
        return i;
      }
    }
    throw new IllegalArgumentException(eventDate);
  }

  /**
   * Crashes after the event at {@code crashAfter}: the end of day eight (before the leak), or in
   * the middle of the leak just after its alert was raised.
   */
  @ParameterizedTest
  @ValueSource(strings = {"2026-03-09T15:00:00Z", "2026-03-10T13:00:00Z"})
  void aRestartFromSavedLearnedStateRaisesExactlyWhatARunWithoutItRaises(String crashAfter)
      throws Exception {
    List<Event> events = nineDays();
    Run clean = uninterrupted(events);
    assertTrue(
        described(clean.alerts).stream().anyMatch(a -> a.startsWith("LW-014 " + CLINICIAN)),
        "the clean run catches the slow leak: " + described(clean.alerts));
    assertTrue(
        described(clean.alerts).stream().anyMatch(a -> a.startsWith("LW-013 " + CLINICIAN)),
        "the clean run catches the new country: " + described(clean.alerts));

    int crash = indexOf(events, crashAfter);
    Run killed = new Run(pipeline(pack), noPositions());
    events.subList(0, crash + 1).forEach(killed::process);
    LearnedStateFile file = new LearnedStateFile(dir.resolve("learned-state.json"));
    file.save(killed.saved); // what was on disk when the process died
    killed.pipeline.close();

    LearnedState loaded = file.load();
    Run restarted = new Run(pipeline(pack), loaded.positions());
    assertEquals(List.of(), restarted.pipeline.restore(loaded));
    restarted.alerts.putAll(killed.alerts); // the ledger: delivered before the crash
    List<Event> replayed = after(events, loaded.positions());
    replayed.forEach(restarted::process);
    restarted.finish();

    int reprocessed = replayed.size() - (events.size() - (crash + 1));
    System.out.printf(
        "learned state: crash after %s, saved as of %s (%d tables, %d rows), %d events"
            + " reprocessed; alerts %d clean, %d with the crash%n",
        crashAfter,
        Instant.ofEpochMilli(loaded.eventTime()),
        loaded.tables().size(),
        loaded.tables().values().stream().mapToInt(t -> t.rows().size()).sum(),
        reprocessed,
        clean.alerts.size(),
        restarted.alerts.size());
    assertTrue(reprocessed > 0, "some events are reprocessed");
    assertEquals(described(clean.alerts), described(restarted.alerts));
    assertEquals(clean.tables(), restarted.tables(), "reprocessed events counted once");
    restarted.pipeline.close();
    clean.pipeline.close();
  }

  @Test
  void withoutTheSavedStateOrWithStateFromTheCrashTheResultsDiffer() throws Exception {
    // The controls that show the test above can fail: restarting blind loses the slow leak and the
    // new country; restoring the tables as they were at the crash and reprocessing from the saved
    // positions counts the reprocessed events twice.
    List<Event> events = nineDays();
    Run clean = uninterrupted(events);
    int crash = indexOf(events, "2026-03-09T15:00:00Z");
    Run killed = new Run(pipeline(pack), noPositions());
    events.subList(0, crash + 1).forEach(killed::process);
    LearnedState atCrash = killed.pipeline.learnedState(killed.schedule.positions());

    Run blind = new Run(pipeline(pack), killed.saved.positions());
    after(events, killed.saved.positions()).forEach(blind::process);
    blind.finish();
    assertTrue(
        described(blind.alerts).stream().noneMatch(a -> a.startsWith("LW-014")),
        "a blind restart has no baseline");
    assertTrue(described(blind.alerts).stream().noneMatch(a -> a.startsWith("LW-013")));

    LearnedState mixed =
        new LearnedState(
            killed.saved.eventTime(),
            atCrash.watchedSince(),
            killed.saved.positions(),
            atCrash.tables());
    Run doubled = new Run(pipeline(pack), mixed.positions());
    doubled.pipeline.restore(mixed);
    after(events, mixed.positions()).forEach(doubled::process);
    doubled.finish();
    assertNotEquals(clean.tables(), doubled.tables());
    killed.pipeline.close();
    blind.pipeline.close();
    doubled.pipeline.close();
    clean.pipeline.close();
  }

  @Test
  void aTableWhoseShapeChangedStartsEmptyAndSaysWhyTheOthersAreRestored() throws Exception {
    List<Event> events = nineDays();
    Run before = new Run(pipeline(pack), noPositions());
    events.subList(0, indexOf(events, "2026-03-09T15:00:00Z") + 1).forEach(before::process);
    LearnedState saved = before.pipeline.learnedState(before.schedule.positions());
    before.pipeline.close();

    Path changed = learningRules(dir.resolve("pack"));
    Path epl = changed.resolve("new-country-login/detect.epl");
    String text = Files.readString(epl);
    String old = "SourceIp string primary key, seen long)";
    assertTrue(text.contains(old));
    Files.writeString(
        epl, text.replace(old, "SourceIp string primary key, seen long, note string)"));
    DetectionPipeline after = pipeline(CompiledPack.compile(RulePackLoader.fromDirectory(changed)));

    List<String> reset = after.restore(saved);
    assertEquals(1, reset.size(), reset.toString());
    assertTrue(reset.get(0).startsWith("LW-013/PersonAddresses: its shape changed"), reset.get(0));
    assertTrue(reset.get(0).contains("note:String"), reset.get(0));
    Map<String, SavedTable> now = after.learnedState(Map.of()).tables();
    assertEquals(List.of(), now.get("LW-013/PersonAddresses").rows());
    assertEquals(
        rows(saved.tables().get("LW-013/PersonCountries")),
        rows(now.get("LW-013/PersonCountries")));
    assertEquals(
        rows(saved.tables().get("LW-014/PhiBaseline")), rows(now.get("LW-014/PhiBaseline")));
    after.close();
  }

  @Test
  void aDurableTableWithAnAggregationColumnIsAPackError() throws Exception {
    Path bad = learningRules(dir.resolve("pack"));
    Path epl = bad.resolve("new-country-login/detect.epl");
    Files.writeString(
        epl,
        Files.readString(epl)
            + "\n@Tag(name='durable', value='x') @public"
            + " create table Tally (UserId string primary key, n count(*));\n");
    DetectionPipeline pipeline = pipeline(CompiledPack.compile(RulePackLoader.fromDirectory(bad)));
    RulePackException e = assertThrows(RulePackException.class, pipeline::durableShapes);
    assertTrue(e.getMessage().contains("durable table Tally"), e.getMessage());
    pipeline.close();
  }

  @Test
  void anUnreadableFileIsRefusedWithItsReasonAndMovedAside() throws Exception {
    LearnedStateFile file = new LearnedStateFile(dir.resolve("learned-state.json"));
    assertNull(file.load());
    Files.writeString(file.file(), "{\"version\": 1, \"eventTime\": 5, \"positions\": [");
    assertTrue(
        assertThrows(LearnedStateFile.UnreadableStateException.class, file::load)
            .getMessage()
            .contains("unreadable learned state"));
    Files.writeString(
        file.file(),
        "{\"version\": 2, \"eventTime\": 5, \"watchedSince\": 1, \"positions\": {}, \"tables\":"
            + " {}}");
    assertTrue(
        assertThrows(LearnedStateFile.UnreadableStateException.class, file::load)
            .getMessage()
            .contains("version 2"));
    Path aside = file.quarantine();
    assertTrue(Files.exists(aside));
    assertNull(file.load());
  }
}
