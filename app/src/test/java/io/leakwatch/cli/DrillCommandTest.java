package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.rulepack.TestPacks;
import io.leakwatch.sim.scenario.Scenarios;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drill as a user runs it: every scenario through the simulator's Pub/Sub server over TLS into
 * the engine, its report, manifest, signature, verification and history; twice with the same seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrillCommandTest {
  private static final List<String> PATIENT_LITERALS =
      List.of("Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "SELECT", "OFFSET");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  private Run first;
  private Run second;
  private Path history;
  private Path key;
  private Path publicKey;

  private record Run(int exit, String output, Path out) {}

  private static Run leakwatch(Path out, String... argv) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int exit = Leakwatch.execute(List.of(argv), stream, stream);
    return new Run(exit, bytes.toString(StandardCharsets.UTF_8), out);
  }

  @BeforeAll
  void twoSignedDrillsWithTheSameSeed() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    key = pem(dir.resolve("drill-key.pem"), "PRIVATE KEY", pair.getPrivate().getEncoded());
    publicKey = pem(dir.resolve("drill-key.pub.pem"), "PUBLIC KEY", pair.getPublic().getEncoded());
    history = dir.resolve("drills/drill-history.jsonl");
    first = drill(dir.resolve("drills/q1"));
    second = drill(dir.resolve("drills/q2"));
  }

  private Run drill(Path out) {
    return leakwatch(
        out,
        "drill",
        "--seconds",
        "0",
        "--users",
        "300",
        "--seed",
        "11",
        "--out",
        out.toString(),
        "--sign-key",
        key.toString());
  }

  static Path pem(Path file, String type, byte[] der) throws IOException {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(
        file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    return file;
  }

  @Test
  void detectsEveryScenarioAndWritesTheReport() throws Exception {
    assertEquals(0, first.exit(), first.output());
    int library = Scenarios.all().size();
    assertTrue(
        first.output().contains(library + " of " + library + " scenarios passed"), first.output());
    JsonNode report = JSON.readTree(first.out().resolve("report.json").toFile());
    assertEquals("leakwatch-drill-report/1", report.get("format").asText());
    assertTrue(report.at("/summary/passed").asBoolean());
    assertEquals(Scenarios.all().size(), report.get("scenarios").size());
    assertEquals(
        report.at("/summary/eventsPublished").asLong(),
        report.at("/summary/eventsProcessed").asLong());
    assertEquals(0, report.at("/summary/falsePositives").asInt());
    for (JsonNode s : report.get("scenarios")) {
      assertTrue(s.get("passed").asBoolean(), s.toString());
      assertTrue(s.get("timeToDetectMillis").asLong() >= 0, s.toString());
      assertTrue(s.get("latencyMillis").asLong() >= 0, s.toString());
      assertEquals(s.get("expectedRules"), s.get("detectedBy"), s.toString());
    }
    JsonNode evidence = report.get("evidence");
    assertEquals("leakwatch-default", evidence.at("/rulePack/name").asText());
    assertEquals(64, evidence.at("/rulePack/sha256").asText().length());
    assertEquals(64, evidence.get("configSha256").asText().length());
    assertEquals(11, evidence.get("seed").asLong());
    assertEquals(Scenarios.all().size(), evidence.get("scenarioSet").size());
    assertFalse(evidence.get("engineVersion").asText().isBlank());
    // Every rule of the default pack has a scenario, and carries its controls into the matrix.
    for (JsonNode rule : report.get("coverage")) {
      assertEquals("covered", rule.get("status").asText(), rule.toString());
      assertTrue(
          rule.at("/controls/soc2").size() > 0
              && rule.at("/controls/iso27001").size() > 0
              && rule.at("/controls/hipaa").size() > 0);
    }

    String junit = Files.readString(first.out().resolve("junit.xml"));
    assertTrue(junit.contains("tests=\"" + library + "\" failures=\"0\""), junit);
    assertEquals(library, junit.split("<testcase ", -1).length - 1);

    String html = Files.readString(first.out().resolve("report.html"));
    for (String part :
        List.of(
            "id=\"ttd-chart\"",
            "id=\"scenario-table\"",
            "id=\"coverage-grid\"",
            "id=\"control-table\"",
            "id=\"trend-table\"",
            "id=\"evidence-table\"",
            "SOC 2",
            "ISO 27001",
            "HIPAA",
            evidence.at("/rulePack/sha256").asText())) {
      assertTrue(html.contains(part), "report.html lacks " + part);
    }
    for (String external : List.of("<script", "<link", "src=", "url(", "@import", "https://")) {
      assertFalse(html.contains(external), "report.html is not self-contained: " + external);
    }
  }

  @Test
  void noOutputCarriesPatientValues() throws Exception {
    for (Run run : List.of(first, second)) {
      try (Stream<Path> files = Files.list(run.out())) {
        for (Path file : files.toList()) {
          String text = Files.readString(file);
          PATIENT_LITERALS.forEach(
              literal -> assertFalse(text.contains(literal), file + " leaks " + literal));
        }
      }
      PATIENT_LITERALS.forEach(
          literal -> assertFalse(run.output().contains(literal), "console leaks " + literal));
    }
    String historyText = Files.readString(history);
    PATIENT_LITERALS.forEach(
        literal -> assertFalse(historyText.contains(literal), "history leaks " + literal));
  }

  @Test
  void sameSeedAndRulesGiveTheSameResults() throws Exception {
    assertEquals(0, second.exit(), second.output());
    JsonNode a = withoutWallClock(JSON.readTree(first.out().resolve("report.json").toFile()));
    JsonNode b = withoutWallClock(JSON.readTree(second.out().resolve("report.json").toFile()));
    assertEquals(a, b, "same seed and rules, same alerts, detections and event-time figures");
    assertEquals(alertIds(first.out()), alertIds(second.out()));
    assertTrue(alertIds(first.out()).size() >= Scenarios.all().size());
  }

  private static JsonNode withoutWallClock(JsonNode report) {
    ObjectNode evidence = (ObjectNode) report.get("evidence");
    evidence.remove(List.of("startedAt", "finishedAt"));
    ((ObjectNode) report.get("summary"))
        .remove(List.of("latencyP50Millis", "latencyMaxMillis", "wallMillis"));
    report.get("scenarios").forEach(s -> ((ObjectNode) s).remove("latencyMillis"));
    return report;
  }

  private static List<String> alertIds(Path out) throws IOException {
    List<String> ids = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
      var alert = AlertJson.fromJson(line);
      ids.add(alert.deliveryKey());
    }
    return ids.stream().sorted().toList();
  }

  @Test
  void historyRecordsEachDrillAndTheReportShowsTheTrend() throws Exception {
    List<String> lines = Files.readAllLines(history);
    assertEquals(2, lines.size(), String.join("\n", lines));
    for (String line : lines) {
      JsonNode entry = JSON.readTree(line);
      assertEquals(1.0, entry.get("passRate").asDouble());
      assertEquals(Scenarios.all().size(), entry.get("passed").asInt());
      assertTrue(
          entry.get("timeToDetectMaxMillis").asLong()
              >= entry.get("timeToDetectP50Millis").asLong());
      assertEquals(64, entry.get("rulePackSha256").asText().length());
    }
    String html = Files.readString(second.out().resolve("report.html"));
    String trend =
        html.substring(
            html.indexOf("id=\"trend-table\""),
            html.indexOf("</table>", html.indexOf("id=\"trend-table\"")));
    assertEquals(2, trend.split("<tr><td>", -1).length - 1, "both drills in the trend table");
    assertTrue(html.contains("<polyline"), "a trend line joins the runs");
  }

  @Test
  void verifyAcceptsTheEvidenceAndRejectsAnyTampering() throws Exception {
    Run ok =
        leakwatch(
            null, "drill", "verify", first.out().toString(), "--public-key", publicKey.toString());
    assertEquals(0, ok.exit(), ok.output());
    assertTrue(ok.output().contains("intact, 4 file(s)"), ok.output());

    List<String> files;
    try (Stream<Path> list = Files.list(first.out())) {
      files = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(
        List.of(
            "alerts.jsonl",
            "junit.xml",
            "manifest.json",
            "manifest.sig",
            "report.html",
            "report.json"),
        files);
    int n = 0;
    for (String file : files) {
      Path altered = copy(first.out(), dir.resolve("altered-" + n));
      Path target = altered.resolve(file);
      byte[] bytes = Files.readAllBytes(target);
      int at = bytes.length / 2;
      bytes[at] = (byte) (bytes[at] == 'a' ? 'b' : 'a');
      Files.write(target, bytes);
      Run run =
          leakwatch(
              null, "drill", "verify", altered.toString(), "--public-key", publicKey.toString());
      assertEquals(1, run.exit(), "altering " + file + " must fail verification: " + run.output());
      assertTrue(
          run.output().contains("TAMPERED " + file) || run.output().contains(file),
          file + ": " + run.output());
      // Without the pinned key the check still catches it, from the manifest and the signature it
      // carries.
      assertEquals(1, leakwatch(null, "drill", "verify", altered.toString()).exit(), file);

      Path missing = copy(first.out(), dir.resolve("missing-" + n++));
      Files.delete(missing.resolve(file));
      Run gone = leakwatch(null, "drill", "verify", missing.toString());
      assertEquals(
          1, gone.exit(), "deleting " + file + " must fail verification: " + gone.output());
      assertTrue(gone.output().contains(file), gone.output());
    }

    Path extra = copy(first.out(), dir.resolve("extra"));
    Files.writeString(extra.resolve("notes.txt"), "added later\n");
    Run added = leakwatch(null, "drill", "verify", extra.toString());
    assertEquals(1, added.exit(), added.output());
    assertTrue(
        added.output().contains("TAMPERED notes.txt: not listed in the manifest"), added.output());

    Path otherKey =
        pem(
            dir.resolve("other.pub.pem"),
            "PUBLIC KEY",
            KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
    Run wrongSigner =
        leakwatch(
            null, "drill", "verify", first.out().toString(), "--public-key", otherKey.toString());
    assertEquals(1, wrongSigner.exit(), wrongSigner.output());
    assertTrue(wrongSigner.output().contains("not by the given public key"), wrongSigner.output());
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
    return to;
  }

  @Test
  void aMissedDetectionFailsTheDrillAndSaysWhich() throws Exception {
    Path pack = TestPacks.copyDefaultPack(dir.resolve("pack-without-lw009"));
    try (Stream<Path> files = Files.walk(pack.resolve("debug-log-exposure"))) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Path out = dir.resolve("missed/drill");
    Run run =
        leakwatch(
            out,
            "drill",
            "--seconds",
            "0",
            "--users",
            "100",
            "--scenarios",
            "LW-009,bulk-export-by-person",
            "--rules",
            pack.toString(),
            "--out",
            out.toString());
    assertEquals(1, run.exit(), run.output());
    assertTrue(
        run.output().contains("MISSED: debug-log-harvest expected detection by LW-009"),
        run.output());
    assertTrue(run.output().contains("1 of 2 scenarios passed"), run.output());

    JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
    assertFalse(report.at("/summary/passed").asBoolean());
    assertEquals(
        List.of("bulk-export-by-person", "debug-log-harvest"),
        JSON.convertValue((ArrayNode) report.at("/evidence/scenarioSet"), List.class));
    String junit = Files.readString(out.resolve("junit.xml"));
    assertTrue(junit.contains("tests=\"2\" failures=\"1\""), junit);
    assertTrue(junit.contains("expected detection by LW-009 missed"), junit);
    assertTrue(Files.readString(out.resolve("report.html")).contains("MISSED LW-009"));
    assertNotEquals(
        JSON.readTree(first.out().resolve("report.json").toFile()).at("/evidence/configSha256"),
        report.at("/evidence/configSha256"),
        "other settings, other config hash");
    assertEquals(
        0,
        leakwatch(null, "drill", "verify", out.toString()).exit(),
        "a failed drill's evidence is still intact");
    Run pinned =
        leakwatch(null, "drill", "verify", out.toString(), "--public-key", publicKey.toString());
    assertEquals(
        1, pinned.exit(), "an unsigned drill does not pass a check that asks for a signature");
  }

  @Test
  void badUsageExitsWithTwoAndSaysWhy() throws Exception {
    Run unknown =
        leakwatch(
            null, "drill", "--scenarios", "no-such-scenario", "--out", dir.resolve("x").toString());
    assertEquals(2, unknown.exit(), unknown.output());
    assertTrue(
        unknown.output().contains("no scenario or rule 'no-such-scenario'"), unknown.output());

    Path used = Files.createDirectories(dir.resolve("used"));
    Files.writeString(used.resolve("old.txt"), "x");
    Run notEmpty = leakwatch(null, "drill", "--out", used.toString());
    assertEquals(2, notEmpty.exit(), notEmpty.output());
    assertTrue(notEmpty.output().contains("already exists and is not empty"), notEmpty.output());

    Path notAKey = Files.writeString(dir.resolve("not-a-key.pem"), "hello\n");
    Run badKey =
        leakwatch(
            null, "drill", "--out", dir.resolve("y").toString(), "--sign-key", notAKey.toString());
    assertEquals(2, badKey.exit(), badKey.output());
    assertTrue(badKey.output().contains("not-a-key.pem"), badKey.output());
    assertFalse(Files.exists(dir.resolve("y")), "nothing runs with an unusable key");

    Run noDir = leakwatch(null, "drill", "verify", dir.resolve("nowhere").toString());
    assertEquals(1, noDir.exit(), noDir.output());
    assertEquals(2, leakwatch(null, "drill", "verify").exit());
  }
}
