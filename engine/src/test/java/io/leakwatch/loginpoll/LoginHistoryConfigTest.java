package io.leakwatch.loginpoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.binding.ConfigException;
import io.leakwatch.config.EngineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code loginHistory:} mapping of an org: off by default, every value checked. */
class LoginHistoryConfigTest {
  private static final String ORG =
      "orgs:\n  - {name: a, endpoint: {host: h, port: 7443}, auth: {accessToken: t, instanceUrl: u,"
          + " tenantId: x}, topics: [/event/LoginEventStream], profile: profile.yaml%s}\n";

  @TempDir Path dir;

  private EngineConfig parse(String extra) throws Exception {
    Files.writeString(dir.resolve("profile.yaml"), "timeZone: UTC\n");
    return EngineConfig.parse(ORG.formatted(extra), "c.yaml", dir, Map.of());
  }

  private String problem(String extra) {
    return assertThrows(ConfigException.class, () -> parse(extra)).getMessage();
  }

  @Test
  void offUnlessEnabled() throws Exception {
    assertFalse(parse("").orgs().get(0).loginHistory().enabled());
    assertFalse(
        parse(", loginHistory: {intervalSeconds: 30}").orgs().get(0).loginHistory().enabled());
  }

  @Test
  void theKeysAsWritten() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "x");
    LoginHistorySettings poll =
        parse(
                ", loginHistory: {enabled: true, intervalSeconds: 30, lookbackMinutes: 120,"
                    + " settleSeconds: 600, apiVersion: '61.0', timeoutSeconds: 20, batchSize: 500,"
                    + " trustCertificate: ca.pem}")
            .orgs()
            .get(0)
            .loginHistory();
    assertTrue(poll.enabled());
    assertEquals(Duration.ofSeconds(30), poll.interval());
    assertEquals(Duration.ofMinutes(120), poll.lookback());
    assertEquals(Duration.ofSeconds(600), poll.settle());
    assertEquals("61.0", poll.apiVersion());
    assertEquals(Duration.ofSeconds(20), poll.timeout());
    assertEquals(500, poll.batchSize());
    assertEquals(dir.resolve("ca.pem"), poll.trustCertificate());
  }

  @Test
  void theSummarySaysWhetherAndHowOftenItPolls() throws Exception {
    assertTrue(parse("").summary().contains("  LoginHistory poll: off"));
    assertTrue(
        parse(", loginHistory: {enabled: true, intervalSeconds: 30}")
            .summary()
            .contains(
                "  LoginHistory poll: every 30 s, reading 300 s before its cursor again; first start"
                    + " reads 60 min back"));
    assertTrue(
        parse(", loginHistory: {enabled: true, accessCheckSeconds: 600}")
            .summary()
            .contains(
                "  LoginHistory access: \"Manage Users\" or \"Monitor Login History\" checked at"
                    + " start and every 600 s"));
  }

  @Test
  void theDefaults() throws Exception {
    LoginHistorySettings poll =
        parse(", loginHistory: {enabled: true}").orgs().get(0).loginHistory();
    assertEquals(Duration.ofSeconds(60), poll.interval());
    assertEquals(Duration.ofMinutes(60), poll.lookback());
    assertEquals(Duration.ofMinutes(5), poll.settle());
    assertEquals("62.0", poll.apiVersion());
    assertEquals(2_000, poll.batchSize());
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals(
        "c.yaml: orgs[0].loginHistory.intervalSeconds: must be a whole number from 1 to 86400",
        problem(", loginHistory: {enabled: true, intervalSeconds: 0}"));
    assertEquals(
        "c.yaml: orgs[0].loginHistory.batchSize: must be a whole number from 200 to 2000",
        problem(", loginHistory: {enabled: true, batchSize: 100}"));
    assertEquals(
        "c.yaml: orgs[0].loginHistory.apiVersion: must look like 62.0, was 'v62'",
        problem(", loginHistory: {enabled: true, apiVersion: v62}"));
    assertEquals(
        "c.yaml: orgs[0].loginHistory.enabled: must be true or false",
        problem(", loginHistory: {enabled: sometimes}"));
    assertTrue(
        problem(", loginHistory: {enabled: true, interval: 60}")
            .startsWith("c.yaml: orgs[0].loginHistory.interval: unknown key"));
  }
}
