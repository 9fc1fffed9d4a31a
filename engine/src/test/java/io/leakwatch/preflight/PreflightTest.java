package io.leakwatch.preflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code run} would trip over at start is found before it starts, naming the key. */
class PreflightTest {
  @TempDir Path dir;

  @Test
  void aFolderUnderARegularFileOrInProcIsAnErrorNamingTheKey() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    Preflight check =
        new Preflight()
            .writableFolder("state", file.resolve("state"))
            .writableFile("deadLetters", Path.of("/proc/leakwatch/dead-letters.jsonl"))
            .writableFolder("orgs[north].state", dir.resolve("fine/state"));
    List<Preflight.Finding> findings = check.findings();
    assertEquals(2, findings.size(), findings.toString());
    assertEquals("state", findings.get(0).key());
    assertTrue(findings.get(0).message().contains("is a file, not a folder"), findings.toString());
    assertEquals("deadLetters", findings.get(1).key());
    assertTrue(check.hasErrors());
    assertFalse(Files.exists(dir.resolve("fine")), "a folder made only to test is removed again");
  }

  @Test
  void aMisspeltTopicIsAnErrorWithASuggestionAndAnUnreadTopicAWarning() throws Exception {
    RulePack pack = RulePackLoader.fromDirectory(Path.of("../rules/pack"));
    RulePack withoutListViewRules =
        new RulePack(
            pack.origin(),
            pack.name(),
            pack.version(),
            pack.sha256(),
            pack.shared(),
            pack.decisions(),
            pack.rules().stream().filter(r -> !reads(r, "ListViewEvent")).toList());
    List<Preflight.Finding> findings =
        new Preflight()
            .topics(
                "topics",
                List.of(
                    "/event/ApiEventStrem",
                    "/event/LoginEventStream",
                    "/event/ListViewEventStream"),
                withoutListViewRules)
            .findings();
    assertEquals(2, findings.size(), findings.toString());
    assertEquals(Preflight.Level.ERROR, findings.get(0).level());
    assertTrue(
        findings.get(0).message().contains("did you mean /event/ApiEventStream?"),
        findings.get(0).message());
    assertEquals(Preflight.Level.WARNING, findings.get(1).level());
    assertTrue(findings.get(1).message().contains("no rule of the pack reads ListViewEvent"));
  }

  @Test
  void certificatesAndKeysThatDoNotParseGetAPlainMessage() throws Exception {
    Path notPem = Files.writeString(dir.resolve("cert.pem"), "hello, I am not a certificate");
    Path notKey =
        Files.writeString(
            dir.resolve("key.pem"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    List<Preflight.Finding> findings =
        new Preflight()
            .certificate("org.endpoint.trustCertificate", notPem)
            .privateKey("api.tls.key", notKey)
            .certificate("api.tls.cert", dir.resolve("missing.pem"))
            .findings();
    assertEquals(3, findings.size(), findings.toString());
    assertTrue(findings.get(0).message().contains("is not a PEM certificate"));
    assertTrue(findings.get(1).message().contains("private key"), findings.get(1).message());
    assertTrue(findings.get(2).message().contains("cannot be read"));
    findings.forEach(
        f ->
            assertFalse(
                f.message().contains("io.grpc") || f.message().contains("Exception"), f.message()));
  }

  @Test
  void aPortInUseIsAnErrorAndAShortStaleTimeoutAWarning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Preflight.Finding> findings =
          new Preflight()
              .portFree("api.port", "127.0.0.1", taken.getLocalPort())
              .staleAfter("org.staleAfterSeconds", 20_000)
              .staleAfter("org.staleAfterSeconds", 300_000)
              .findings();
      assertEquals(2, findings.size(), findings.toString());
      assertEquals("api.port", findings.get(0).key());
      assertEquals(Preflight.Level.WARNING, findings.get(1).level());
      assertTrue(findings.get(1).message().contains("keepalive"));
    }
  }

  private static boolean reads(RuleDefinition rule, String type) {
    return (rule.epl() != null && rule.epl().text().contains(type))
        || (rule.drl() != null && rule.drl().text().contains(type));
  }
}
