package io.leakwatch.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePackLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JsonLinesReplayTest {
  private static CompiledPack pack;

  @BeforeAll
  static void compile() {
    pack = CompiledPack.compile(RulePackLoader.fromDirectory(Path.of("../rules/pack")));
  }

  private static String read(String time, String id, int rows) {
    return "{\"channel\":\"/event/ApiEventStream\",\"EventDate\":\""
        + time
        + "\",\"EventIdentifier\":\""
        + id
        + "\",\"UserId\":\"005000000000001AAA\",\"SourceIp\":\"198.51.100.5\","
        + "\"QueriedEntities\":\"Contact\",\"RowsProcessed\":"
        + rows
        + "}";
  }

  private record Run(JsonLinesReplay.Summary summary, List<Alert> alerts, List<String> refused) {}

  private static Run replay(String text, boolean sort) throws IOException {
    List<Alert> alerts = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            pack,
            OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")),
            DetectionPipeline.Options.defaults())) {
      JsonLinesReplay.Summary summary =
          new JsonLinesReplay(pipeline, sort)
              .run(
                  new BufferedReader(new StringReader(text)),
                  alerts::add,
                  r -> refused.add(r.line() + ": " + r.reason()));
      return new Run(summary, alerts, refused);
    }
  }

  @Test
  void badEventsAreRefusedWithTheirLineAndReasonNeverATrace() throws IOException {
    String input =
        String.join(
            "\n",
            read("2026-03-10T14:00:00Z", "e1", 10),
            "{\"channel\":\"/event/ApiEventStream\",\"EventIdentifier\":\"e2\",\"UserId\":\"u\"}",
            read("2026-03-10T14:01:00", "e3", 10),
            read("2026-03-10T14:02:00Z", "e4", 10)
                .replace("\"RowsProcessed\":10", "\"RowsProcessed\":\"forty\""),
            read("2026-03-10T14:03:00Z", "e5", 10)
                .replace("/event/ApiEventStream", "/event/ApiEventStrem"),
            "",
            "{not json",
            read("2026-03-10T14:04:00Z", "e6", 10));
    Run run = replay(input, false);
    assertEquals(
        List.of(
            "2: EventDate is missing: every event needs the time it was captured",
            "3: EventDate '2026-03-10T14:01:00' has no UTC offset (add Z or +hh:mm)",
            "4: RowsProcessed holds text that is not a number (5 characters)",
            "5: no event type ApiEventStrem is declared in the rule pack for channel"
                + " /event/ApiEventStrem (did you mean /event/ApiEventStream?)",
            "7: not valid JSON"),
        run.refused());
    assertEquals(2, run.summary().events(), "only the good lines count as replayed");
    assertEquals(7, run.summary().lines());
    assertFalse(run.summary().clean());
    assertEquals(List.of(), run.alerts());
    assertTrue(
        JsonLinesReplay.describe("f.jsonl", run.summary())
            .get(0)
            .contains("2 events from f.jsonl: 0 alerts, 5 lines rejected (of 7)"));
  }

  @Test
  void outOfOrderInputIsReportedAndCanBeSorted() throws IOException {
    // Two reads 20 minutes apart, written in reverse: in file order event time cannot go back,
    // so the 5-minute window sees them as simultaneous and raises a false bulk read.
    String input =
        String.join(
            "\n",
            read("2026-03-10T14:20:00Z", "late", 60),
            read("2026-03-10T14:00:00Z", "early", 60));
    Run asGiven = replay(input, false);
    assertEquals(1, asGiven.summary().outOfOrder());
    assertEquals(2, asGiven.summary().firstOutOfOrderLine());
    assertTrue(
        JsonLinesReplay.describe("f.jsonl", asGiven.summary()).get(1).contains("--sort"),
        JsonLinesReplay.describe("f.jsonl", asGiven.summary()).toString());
    assertTrue(asGiven.summary().clean(), "out of order is reported, not refused");

    Run sorted = replay(input, true);
    assertEquals(0, sorted.summary().outOfOrder());
    assertEquals(2, sorted.summary().events());
    assertEquals(List.of(), sorted.alerts(), "20 minutes apart: no 5-minute bulk read");
    assertEquals(1, JsonLinesReplay.describe("f.jsonl", sorted.summary()).size());
  }

  @Test
  void theUiFileLoginAsAndBulkResultChannelsAreReplayed() throws IOException {
    String input =
        String.join(
            "\n",
            "{\"channel\":\"/event/LightningUriEventStream\",\"EventDate\":\"2026-03-10T14:00:00Z\","
                + "\"UserId\":\"005000000000001AAA\",\"Operation\":\"Read\","
                + "\"RecordId\":\"0035f000001AbCdAAA\",\"QueriedEntities\":\"Contact\"}",
            "{\"channel\":\"/event/UriEventStream\",\"EventDate\":\"2026-03-10T14:00:01Z\","
                + "\"UserId\":\"005000000000001AAA\",\"Operation\":\"Read\"}",
            "{\"channel\":\"/event/FileEvent\",\"EventDate\":\"2026-03-10T14:00:02Z\","
                + "\"UserId\":\"005000000000001AAA\",\"FileAction\":\"PREVIEW\"}",
            "{\"channel\":\"/event/LoginAsEventStream\",\"EventDate\":\"2026-03-10T14:00:03Z\","
                + "\"UserId\":\"005000000000001AAA\",\"DelegatedUsername\":\"admin@example.com\"}",
            "{\"channel\":\"/event/BulkApiResultEvent\",\"EventDate\":\"2026-03-10T14:00:04Z\","
                + "\"UserId\":\"0055f000003EtLjAAA\",\"Query\":\"SELECT Id FROM Account\"}",
            "{\"channel\":\"/event/LoginAnomalyEvent\",\"EventDate\":\"2026-03-10T14:00:05Z\","
                + "\"UserId\":\"005000000000001AAA\",\"Score\":0.1}",
            "{\"channel\":\"/event/FileEventStore\",\"EventDate\":\"2026-03-10T14:00:06Z\"}");
    Run run = replay(input, false);
    assertEquals(6, run.summary().events());
    assertEquals(1, run.refused().size());
    assertTrue(run.refused().get(0).startsWith("7: "), run.refused().toString());
    assertTrue(
        run.refused().get(0).contains("subscribe to /event/FileEvent"), run.refused().toString());
  }
}
