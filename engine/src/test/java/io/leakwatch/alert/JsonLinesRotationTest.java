package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.testing.SteppedClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesRotationTest {
  @TempDir Path dir;

  private List<String> allKeys(JsonLinesAlertSink sink) throws IOException {
    List<String> keys = new ArrayList<>();
    for (Path p : sink.rotated()) {
      Files.readAllLines(p).forEach(l -> keys.add(DeliveryKeys.of(l)));
    }
    Files.readAllLines(sink.file()).forEach(l -> keys.add(DeliveryKeys.of(l)));
    return keys;
  }

  /**
   * The keys of a rotated file are forgotten when the file is deleted, as a restart would forget
   * them; before, the sink remembered every key it ever wrote until it was restarted.
   */
  @Test
  void theKeysOfADeletedRotationAreForgotten() throws IOException {
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(
            dir.resolve("alerts.jsonl"),
            AlertFormat.LEAKWATCH,
            new FileRotation(2_048, false, 1),
            Clock.systemUTC())) {
      for (int i = 0; i < 40; i++) {
        sink.accept(TestAlerts.alert("a" + i));
      }
      assertEquals(1, sink.rotated().size());
      List<String> kept = allKeys(sink);
      assertEquals(kept.size(), sink.rememberedKeys(), "only the keys of the files kept");
      assertTrue(kept.size() < 20, kept.toString());
      sink.accept(TestAlerts.alert("a0")); // long gone: written again, as after a restart
      assertTrue(allKeys(sink).contains("a0"));
    }
  }

  @Test
  void sizeRotationPutsEveryAlertInExactlyOneFileAndARestartWritesNoneTwice() throws IOException {
    Path file = dir.resolve("alerts.jsonl");
    List<String> expected = new ArrayList<>();
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(
            file, AlertFormat.LEAKWATCH, new FileRotation(2_048, false, 100), Clock.systemUTC())) {
      for (int i = 0; i < 40; i++) {
        sink.accept(TestAlerts.alert("a" + i));
        expected.add("a" + i);
      }
      assertTrue(sink.rotated().size() >= 5, "rotated " + sink.rotated());
      for (Path p : sink.rotated()) {
        assertTrue(Files.size(p) <= 2_048, p + " is " + Files.size(p));
        assertTrue(
            p.getFileName().toString().matches("alerts\\.\\d{4}-\\d{2}-\\d{2}\\.\\d+\\.jsonl"),
            p.toString());
      }
      assertEquals(expected, allKeys(sink));
    }
    // A restart replays every alert: the rotated files still count, nothing is written twice.
    try (JsonLinesAlertSink again =
        new JsonLinesAlertSink(
            file, AlertFormat.LEAKWATCH, new FileRotation(2_048, false, 100), Clock.systemUTC())) {
      for (int i = 0; i < 40; i++) {
        again.accept(TestAlerts.alert("a" + i));
      }
      again.accept(TestAlerts.alert("a40"));
      expected.add("a40");
      assertEquals(expected, allKeys(again));
    }
  }

  @Test
  void keepsOnlyTheNewestRotatedFiles() throws IOException {
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(
            dir.resolve("alerts.jsonl"),
            AlertFormat.LEAKWATCH,
            new FileRotation(1_024, false, 2),
            Clock.systemUTC())) {
      for (int i = 0; i < 20; i++) {
        sink.accept(TestAlerts.alert("k" + i));
      }
      List<Path> kept = sink.rotated();
      assertEquals(2, kept.size());
      List<String> keys = allKeys(sink);
      assertEquals("k19", keys.get(keys.size() - 1));
      assertTrue(keys.size() < 20, "older files were deleted");
    }
  }

  @Test
  void dailyRotationStartsANewFileOnTheFirstAlertOfANewUtcDay() throws IOException {
    SteppedClock clock = new SteppedClock(Instant.parse("2026-03-09T23:59:00Z"));
    Path file = dir.resolve("alerts.jsonl");
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(file, AlertFormat.LEAKWATCH, new FileRotation(0, true, 7), clock)) {
      sink.accept(TestAlerts.alert("d1"));
      sink.accept(TestAlerts.alert("d2"));
      assertEquals(List.of(), sink.rotated());
      clock.set(Instant.parse("2026-03-10T00:00:01Z"));
      sink.accept(TestAlerts.alert("d3"));
      assertEquals(1, sink.rotated().size());
      assertEquals("alerts.2026-03-09.0.jsonl", sink.rotated().get(0).getFileName().toString());
      assertEquals(List.of("d1", "d2", "d3"), allKeys(sink));
    }
  }

  @Test
  void aLineTornByACrashIsClosedOffAndItsAlertWrittenAgain() throws IOException {
    Path file = dir.resolve("alerts.jsonl");
    Alert a = TestAlerts.alert("torn");
    String line = AlertJson.toJson(a);
    Files.writeString(
        file,
        AlertJson.toJson(TestAlerts.alert("whole")) + "\n" + line.substring(0, line.length() / 2),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE);
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(
            file, AlertFormat.LEAKWATCH, new FileRotation(4_096, false, 3), Clock.systemUTC())) {
      sink.accept(TestAlerts.alert("whole"));
      sink.accept(a);
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size());
    assertEquals("torn", DeliveryKeys.of(lines.get(2)));
  }

  /** A crash can cut the last line inside a multi-byte character (an ellipsis in a reason). */
  @Test
  void aLineTornInsideAMultiByteCharacterIsClosedOffAndItsAlertWrittenAgain() throws IOException {
    Path file = dir.resolve("alerts.jsonl");
    byte[] torn =
        "{\"id\":\"torn\",\"reasons\":[\"12 user(s): a,b,\u2026".getBytes(StandardCharsets.UTF_8);
    Files.write(
        file,
        (AlertJson.toJson(TestAlerts.alert("whole")) + "\n").getBytes(StandardCharsets.UTF_8));
    Files.write(
        file,
        Arrays.copyOf(torn, torn.length - 1), // the ellipsis's last byte missing
        StandardOpenOption.APPEND);
    try (JsonLinesAlertSink sink = new JsonLinesAlertSink(file)) {
      sink.accept(TestAlerts.alert("whole"));
      sink.accept(TestAlerts.alert("torn"));
    }
    List<String> lines = LenientLines.read(file);
    assertEquals(3, lines.size());
    assertEquals("whole", DeliveryKeys.of(lines.get(0)));
    assertEquals(null, DeliveryKeys.of(lines.get(1)), "the torn line, closed off");
    assertEquals("torn", DeliveryKeys.of(lines.get(2)));
  }

  @Test
  void ocsfFilesAreIdempotentByDeliveryKeyToo() throws IOException {
    Path file = dir.resolve("findings.jsonl");
    Alert first = TestAlerts.alert("o1");
    Alert escalated = first.toBuilder().revision(2).build();
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(file, AlertFormat.OCSF, FileRotation.NONE, Clock.systemUTC())) {
      sink.accept(first);
      sink.accept(escalated);
    }
    try (JsonLinesAlertSink sink =
        new JsonLinesAlertSink(file, AlertFormat.OCSF, FileRotation.NONE, Clock.systemUTC())) {
      sink.accept(first);
      sink.accept(escalated);
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals(List.of("o1", "o1#2"), lines.stream().map(DeliveryKeys::of).toList());
    assertTrue(lines.get(1).contains("\"activity_id\":2"), "a revision updates the finding");
  }
}
