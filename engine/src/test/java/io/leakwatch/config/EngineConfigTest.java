package io.leakwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineConfigTest {
  @Test
  void theExampleConfigInTheReadmeLoadsWithItsSecretFromTheEnvironment() {
    EngineConfig config = EngineConfig.load(Path.of("../examples/leakwatch.yaml"), Map.of("SF_ACCESS_TOKEN", "00Dxx!secret"));
    assertEquals("api.pubsub.salesforce.com", config.endpoint().host());
    assertEquals(7443, config.endpoint().port());
    assertEquals("00Dxx!secret", config.tokens().current().accessToken());
    assertFalse(config.tokens().current().toString().contains("secret"), "credentials never print the token");
    assertEquals(4, config.topics().size());
    assertTrue(config.profile().endsWith("org-profile.yaml"));
  }

  @Test
  void aMissingSecretIsAnErrorThatNamesTheVariableNotAValue() {
    ConfigException e = assertThrows(ConfigException.class, () -> EngineConfig.load(Path.of("../examples/leakwatch.yaml"), Map.of()));
    assertTrue(e.getMessage().endsWith("org.auth.accessToken: environment variable SF_ACCESS_TOKEN is not set"), e.getMessage());
  }

  @Test
  void badValuesNameTheirKey() {
    String base = "org: {endpoint: {host: h, port: 99999}, auth: {accessToken: t, instanceUrl: u, tenantId: x}, topics: [a], profile: p}";
    ConfigException port = assertThrows(ConfigException.class, () -> EngineConfig.parse(base, "c.yaml", Path.of("."), Map.of()));
    assertEquals("c.yaml: org.endpoint.port: must be a whole number from 1 to 65535", port.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class,
        () -> EngineConfig.parse("org: {}\nsinks: []", "c.yaml", Path.of("."), Map.of()));
    assertTrue(unknown.getMessage().startsWith("c.yaml: sinks: unknown key"), unknown.getMessage());
  }
}
