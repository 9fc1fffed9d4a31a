package io.leakwatch.response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leakwatch.binding.ConfigException;
import io.leakwatch.decision.ResponseAction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseSettingsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static ResponseSettings parse(String yaml, Map<String, String> env) throws Exception {
    JsonNode node = YAML.readTree(yaml);
    return ResponseSettings.parse(
        node.get("response"),
        "leakwatch.yaml",
        "orgs.acme.response",
        env,
        Path.of("/etc/leakwatch"));
  }

  @Test
  void offWhenAbsent() throws Exception {
    ResponseSettings settings = parse("other: 1", Map.of());
    assertEquals(ResponseMode.OFF, settings.mode());
    assertFalse(settings.enabled());
  }

  @Test
  void readsEveryKey() throws Exception {
    ResponseSettings settings =
        parse(
            """
        response:
          mode: dryRun
          actions: {endSession: auto, freezeUser: approval}
          auditLog: ${STATE}/audit.jsonl
          apiVersion: "61.0"
          timeoutSeconds: 5
          attempts: 4
          backoffMillis: 100
        """,
            Map.of("STATE", "state"));
    assertEquals(ResponseMode.DRY_RUN, settings.mode());
    assertEquals(ResponseMode.AUTO, settings.modeFor(ResponseAction.END_SESSION));
    assertEquals(ResponseMode.APPROVAL, settings.modeFor(ResponseAction.FREEZE_USER));
    assertEquals(ResponseMode.DRY_RUN, settings.modeFor(ResponseAction.REVOKE_TOKENS));
    assertEquals(Path.of("/etc/leakwatch/state/audit.jsonl"), settings.auditLog());
    assertEquals("61.0", settings.apiVersion());
    assertEquals(Duration.ofSeconds(5), settings.timeout());
    assertEquals(4, settings.attempts());
    assertEquals(Duration.ofMillis(100), settings.backoff());
    assertTrue(settings.enabled());
  }

  @Test
  void aBareOffIsOffThoughYamlReadsItAsFalse() throws Exception {
    ResponseSettings settings =
        parse("response: {mode: off, actions: {endSession: off}}", Map.of());
    assertEquals(ResponseMode.OFF, settings.modeFor(ResponseAction.END_SESSION));
    assertFalse(settings.enabled());
  }

  @Test
  void problemsNameTheFileAndKey() {
    assertProblem(
        "response: {mode: yolo, auditLog: a.jsonl}",
        "leakwatch.yaml: orgs.acme.response.mode: must be off, dryRun, approval or auto");
    assertProblem("response: {mode: auto}", "orgs.acme.response.auditLog: is required");
    assertProblem(
        "response: {mode: auto, auditLog: a.jsonl, retries: 3}",
        "orgs.acme.response.retries: unknown key");
    assertProblem(
        "response: {mode: off, actions: {deleteUser: auto}}",
        "orgs.acme.response.actions.deleteUser: unknown response action");
    assertProblem(
        "response: {mode: auto, auditLog: a.jsonl, attempts: 0}",
        "orgs.acme.response.attempts: must be a whole number from 1 to 10");
    assertProblem(
        "response: {mode: auto, auditLog: \"${NOPE}/a.jsonl\"}",
        "orgs.acme.response.auditLog: environment variable NOPE is not set");
    assertProblem(
        "response: {mode: auto, auditLog: a.jsonl, trustCertificate: /no/such.pem}",
        "orgs.acme.response.trustCertificate: file");
    assertProblem("response: [auto]", "orgs.acme.response: must be a mapping");
  }

  private static void assertProblem(String yaml, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, Map.of()));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
