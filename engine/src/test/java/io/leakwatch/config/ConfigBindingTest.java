package io.leakwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.alert.AlertsConfig;
import io.leakwatch.binding.ConfigBinder;
import io.leakwatch.binding.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What binding the file to records adds to {@link EngineConfigTest}'s specification: values of the
 * wrong type are named as such, nothing is coerced silently, {@code ${NAME}} is replaced exactly
 * once, and the auth kinds are one sealed type.
 */
class ConfigBindingTest {
  private static final String ORG =
      "orgs:\n  - {name: a, endpoint: {host: h, port: 7443}, auth: %s, topics: [/event/ApiEventStream], profile: p.yaml%s}\n";
  private static final String STATIC = "{accessToken: t, instanceUrl: u, tenantId: x}";

  @TempDir Path dir;

  @BeforeEach
  void profile() throws Exception {
    Files.writeString(dir.resolve("p.yaml"), "timeZone: UTC\n");
  }

  private EngineConfig parse(String yaml, Map<String, String> env) {
    return EngineConfig.parse(yaml, "c.yaml", dir, env);
  }

  private String problem(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml, Map.of())).getMessage();
  }

  @Test
  void aKeyGivenInPlaceOfItsFilesPathIsRefusedWithoutBeingQuoted() {
    String key =
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n";
    String message =
        assertThrows(
                ConfigException.class,
                () ->
                    parse(
                        ORG.formatted(
                            "{type: jwt, loginUrl: 'https://login.salesforce.com', clientId: c,"
                                + " username: u, privateKey: '${SF_PRIVATE_KEY}'}",
                            ""),
                        Map.of("SF_PRIVATE_KEY", key)))
            .getMessage();
    assertFalse(message.contains("MIIEvQ") || message.contains("BEGIN"), message);
    assertTrue(message.contains("privateKey") && message.contains("path of a file"), message);
  }

  @Test
  void aValueOfTheWrongTypeSaysWhatTheKeyTakes() {
    String orgs = ORG.formatted(STATIC, "");
    assertEquals(
        "c.yaml: api.port: must be a whole number from 0 to 65535",
        problem(orgs + "api: {port: http, tokens: [0123456789abcdef0]}"));
    assertEquals(
        "c.yaml: api.port: must be a whole number from 0 to 65535",
        problem(orgs + "api: {port: '8443', tokens: [0123456789abcdef0]}"),
        "a quoted number is not silently taken");
    assertEquals(
        "c.yaml: orgs[0].staleAfterSeconds: must be a whole number from 1 to 86400",
        problem(ORG.formatted(STATIC, ", staleAfterSeconds: 2.5")),
        "nor is a fraction truncated");
    assertEquals(
        "c.yaml: orgs[0].journalProcessed: must be true or false",
        problem(ORG.formatted(STATIC, ", journalProcessed: 'yes please'")));
    assertEquals(
        "c.yaml: orgs[0].topics: must be a list",
        problem(ORG.formatted(STATIC, "").replace("[/event/ApiEventStream]", "{a: b}")));
    assertEquals(
        "c.yaml: orgs[0].endpoint: must be a mapping",
        problem(ORG.formatted(STATIC, "").replace("{host: h, port: 7443}", "h:7443")));
    assertEquals(
        "c.yaml: api.host: must be a single value, not a list or mapping",
        problem(orgs + "api: {host: [a], port: 1, tokens: [0123456789abcdef0]}"));
    assertEquals(
        "c.yaml: alerts.syslog[0].retry.maxMillis: must be a whole number from 1 to 86400000",
        problem(
            orgs + "alerts: {syslog: [{host: h, port: 514, spool: s, retry: {maxMillis: x}}]}"));
  }

  @Test
  void theAuthKindsAreOneSealedTypeWithTheirOwnKeys() {
    assertEquals(
        "c.yaml: orgs[0].auth.type: must be static, jwt or clientCredentials, was 'saml'",
        problem(ORG.formatted("{type: saml, loginUrl: u}", "")));
    String unknown = problem(ORG.formatted("{type: jwt, loginUrl: u, password: p}", ""));
    assertTrue(
        unknown.startsWith("c.yaml: orgs[0].auth.password: unknown key (expected one of ["),
        unknown);
    assertTrue(unknown.contains("privateKey"), unknown);
    assertEquals(
        "c.yaml: orgs[0].auth.clientSecret: is required",
        problem(ORG.formatted("{type: clientCredentials, loginUrl: u, clientId: c}", "")));
    EngineConfig config =
        parse(
            ORG.formatted(
                "{type: clientCredentials, loginUrl: 'https://login.example', clientId: c,"
                    + " clientSecret: s}",
                ""),
            Map.of());
    assertEquals("OAuth client credentials via https://login.example", config.orgs().get(0).auth());
  }

  @Test
  void environmentVariablesAreReplacedOnceAndNeverTwice() {
    EngineConfig config =
        parse(
            ORG.formatted("{accessToken: '${TOKEN}', instanceUrl: '${URL}', tenantId: x}", "")
                + "alerts: {console: false, jsonl: '${OUT}/alerts.jsonl'}\n",
            Map.of("TOKEN", "tok-${URL}", "URL", "https://acme.example", "OUT", "out"));
    assertEquals(
        "tok-${URL}",
        config.orgs().get(0).tokens().current().accessToken(),
        "a value taken from the environment is not substituted again");
    assertEquals(dir.resolve("out/alerts.jsonl"), config.alerts().jsonl());
    assertEquals(
        "c.yaml: orgs[0].auth.instanceUrl: must not be empty",
        assertThrows(
                ConfigException.class,
                () ->
                    parse(
                        ORG.formatted("{accessToken: t, instanceUrl: '${URL}', tenantId: x}", ""),
                        Map.of("URL", " ")))
            .getMessage());
  }

  @Test
  void theAlertsSectionHasOneOwnerForTheSummaryAndTheSinks() {
    EngineConfig config =
        parse(
            ORG.formatted(STATIC, "")
                + "alerts: {console: false, files: [{path: a.jsonl}, {path: b.jsonl, format: ocsf}]}\n",
            Map.of());
    assertEquals(new AlertsConfig(false, null, java.util.List.of("files ×2")), config.alerts());
    assertTrue(String.join("\n", config.summary()).contains("alerts: no console, files ×2"));
  }

  @Test
  void theBoundSectionsPrintWithoutASecret() throws Exception {
    Map<String, String> env =
        Map.of(
            "LEAKWATCH_WEBHOOK_SECRET", "webhook-secret-value",
            "SLACK_WEBHOOK_URL", "https://hooks.slack.example/services/T0/B0/slack-secret-part",
            "SF_ACCESS_TOKEN", "sf-token-value",
            "API", "api-token-0123456789");
    String yaml =
        ORG.formatted("{accessToken: '${SF_ACCESS_TOKEN}', instanceUrl: u, tenantId: x}", "")
            + "api: {port: 1, tokens: ['${API}']}\n"
            + Files.readString(Path.of("../examples/alert-sinks.yaml"));
    EngineConfig.Sections sections =
        ConfigBinder.bind(
            ConfigBinder.substitute(ConfigBinder.read(yaml, "c.yaml"), "c.yaml", "", env),
            EngineConfig.Sections.class,
            "c.yaml",
            "");
    String printed = sections.toString();
    for (String secret : env.values()) {
      assertFalse(printed.contains(secret), "printed " + secret + ": " + printed);
    }
  }
}
