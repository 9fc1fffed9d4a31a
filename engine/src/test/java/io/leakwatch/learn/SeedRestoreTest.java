package io.leakwatch.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.cep.SavedTable;
import io.leakwatch.checkpoint.LearnedState;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.TestPacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seed (learned state from stored history, without topic positions) restored into a fresh
 * pipeline: what the history taught carries over, but the engine has not watched the time between
 * the end of the history and its first event, so whole days are counted from that event on, as on a
 * fresh start. A day the history saw only part of never enters the baseline.
 */
class SeedRestoreTest {
  private static final String CLINICIAN = "005000000000001AAA";
  private static CompiledPack pack;
  private static OrgProfile profile;

  @TempDir static Path packs;

  @BeforeAll
  static void compile() throws Exception {
    Path all = TestPacks.copyDefaultPack(packs.resolve("all"));
    try (var entries = Files.list(all)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry)
            && !name.equals("new-country-login")
            && !name.equals("slow-exfiltration")) {
          try (var files = Files.walk(entry)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
              Files.delete(f);
            }
          }
        }
      }
    }
    pack = CompiledPack.compile(RulePackLoader.fromDirectory(all));
    profile = OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml"));
  }

  private static DetectionPipeline pipeline() {
    return new DetectionPipeline(
        pack, profile, new DetectionPipeline.Options(0, false, DeadLetters.none()));
  }

  private static void read(DetectionPipeline p, String at, int rows) {
    p.process(
        "/event/ApiEventStream",
        Map.of(
            "EventDate",
            at,
            "EventIdentifier",
            "r-" + at,
            "UserId",
            CLINICIAN,
            "SourceIp",
            "198.51.100.5",
            "QueriedEntities",
            "Contact",
            "RowsProcessed",
            rows),
        0);
  }

  /** Mar 2-8: 40 patient rows a day; Mar 9: 40 at 10:00, the history read ends at 12:00. */
  private static LearnedState seed() {
    try (DetectionPipeline history = pipeline()) {
      for (int day = 2; day <= 9; day++) {
        read(history, "2026-03-%02dT10:00:00Z".formatted(day), 40);
      }
      history.advanceTo(Instant.parse("2026-03-09T12:00:00Z").toEpochMilli());
      return history.learnedState(Map.of());
    }
  }

  private static List<Object> baseline(LearnedState state) {
    SavedTable table = state.tables().get("LW-014/PhiBaseline");
    assertEquals(1, table.rows().size(), table.rows().toString());
    List<Object> row = table.rows().get(0);
    return List.of(
        row.get(table.columns().indexOf("periods")), row.get(table.columns().indexOf("totalRows")));
  }

  @Test
  void aSeedCountsWholeDaysFromTheFirstEventTheEngineSees() {
    LearnedState seed = seed();
    assertTrue(seed.positions().isEmpty());
    // Mar 2 is not whole (the history starts at its 10:00), Mar 3-8 are: six days of 40 rows.
    assertEquals(List.of(6L, 240.0), baseline(seed));
    try (DetectionPipeline live = pipeline()) {
      live.restore(seed);
      // The engine starts two days later: Mar 9 after 12:00 and Mar 10 were never seen.
      long first = Instant.parse("2026-03-11T08:00:00Z").toEpochMilli();
      read(live, "2026-03-11T08:00:00Z", 40);
      LearnedState now = live.learnedState(Map.of());
      // Mar 9's 40 rows (half its day, as far as anyone watched) do not make a seventh day.
      assertEquals(List.of(6L, 240.0), baseline(now));
      assertEquals(first, now.watchedSince());
      // The first whole day watched (Mar 12) counts, from the next midnight on.
      read(live, "2026-03-12T10:00:00Z", 40);
      live.advanceTo(Instant.parse("2026-03-13T00:00:01Z").toEpochMilli());
      assertEquals(List.of(7L, 280.0), baseline(live.learnedState(Map.of())));
    }
  }
}
