package io.leakwatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.api.ApiConfig;
import io.leakwatch.binding.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineConfigTest {
  private static final Map<String, String> EXAMPLE_ENV =
      Map.of(
          "SF_ACCESS_TOKEN",
          "00Dxx!secret-prod-token",
          "SF_SANDBOX_CLIENT_ID",
          "3MVG9sandbox",
          "SF_SANDBOX_CLIENT_SECRET",
          "sandbox-client-secret-value",
          "LEAKWATCH_API_TOKEN",
          "api-token-0123456789abcdef");

  @TempDir Path dir;

  @Test
  void theExampleConfigInTheReadmeLoadsTwoOrgsWithSecretsFromTheEnvironment() {
    EngineConfig config = EngineConfig.load(Path.of("../examples/leakwatch.yaml"), EXAMPLE_ENV);
    assertEquals(
        List.of("acme-prod", "acme-sandbox"), config.orgs().stream().map(OrgConfig::name).toList());
    OrgConfig prod = config.orgs().get(0);
    assertEquals("api.pubsub.salesforce.com", prod.endpoint().host());
    assertEquals(7443, prod.endpoint().port());
    assertEquals("00Dxx!secret-prod-token", prod.tokens().current().accessToken());
    assertFalse(
        prod.tokens().current().toString().contains("secret"), "credentials never print the token");
    assertEquals(4, prod.topics().size());
    assertTrue(prod.profile().endsWith("org-profile.yaml"));
    assertEquals(Path.of("/data/state/acme-prod"), prod.durability().stateDir());
    assertEquals(
        Path.of("/data/state/acme-sandbox"),
        config.orgs().get(1).durability().stateDir(),
        "checkpoints never mix");
    assertEquals(Path.of("/data/dead-letters.acme-prod.jsonl"), prod.deadLetters());
    assertTrue(config.orgs().get(1).drill());
    assertFalse(prod.drill());
    assertEquals(3_600_000, prod.maxAheadMillis(), "a real org's events are dated by Salesforce");
    assertEquals(0, config.orgs().get(1).maxAheadMillis(), "a drill org's days lie ahead");
    assertEquals(2_000, prod.stallWaitMillis());
    assertEquals(
        30_000,
        config.orgs().get(1).stallWaitMillis(),
        "a drill org's merge waits out a busy host: its results are evidence");
    assertEquals(8443, config.api().port());
    assertEquals(List.of("api-token-0123456789abcdef"), config.api().tokens());
    assertEquals(Path.of("/data/alerts.jsonl"), config.alerts().jsonl());
  }

  @Test
  void theSummaryNamesWhatWouldRunButNoSecret() {
    EngineConfig config = EngineConfig.load(Path.of("../examples/leakwatch.yaml"), EXAMPLE_ENV);
    String summary = String.join("\n", config.summary());
    assertTrue(
        summary.contains(
            "org acme-prod: api.pubsub.salesforce.com:7443, static access token for https://acme-health.my.salesforce.com"),
        summary);
    assertTrue(
        summary.contains(
            "OAuth client credentials via https://acme-health--uat.sandbox.my.salesforce.com"),
        summary);
    assertTrue(summary.contains("/event/PermissionSetEvent"), summary);
    assertTrue(summary.contains("api: http://0.0.0.0:8443 (1 token)"), summary);
    // A reconnecting stream holds the others back longer than a silent one: the summary says both.
    assertTrue(
        summary.contains(
            "a silent stream holds the others back for up to 2 s, a reconnecting one for up to"
                + " 60 s"),
        summary);
    assertTrue(
        summary.contains(
            "a silent stream holds the others back for up to 30 s, a reconnecting one for up to"
                + " 15 min"),
        summary);
    for (String secret : EXAMPLE_ENV.values()) {
      assertFalse(summary.contains(secret), "the summary never holds " + secret);
    }
    assertFalse(
        config.api().toString().contains("api-token"), "the API settings print without tokens");
  }

  @Test
  void aMissingSecretIsAnErrorThatNamesTheVariableNotAValue() {
    Map<String, String> env = new HashMap<>(EXAMPLE_ENV);
    env.remove("SF_SANDBOX_CLIENT_SECRET");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> EngineConfig.load(Path.of("../examples/leakwatch.yaml"), env));
    assertTrue(
        e.getMessage()
            .endsWith(
                "leakwatch.yaml: orgs[1].auth.clientSecret: environment variable SF_SANDBOX_CLIENT_SECRET is not set"),
        e.getMessage());
  }

  @Test
  void theSingleOrgFormOfEarlierVersionsKeepsItsStateWhereItWas() throws Exception {
    Files.writeString(dir.resolve("profile.yaml"), "timeZone: UTC\n");
    EngineConfig config =
        EngineConfig.parse(
            """
        org:
          endpoint: {host: h, port: 7443}
          auth: {accessToken: t, instanceUrl: https://x.my.salesforce.com, tenantId: 00D}
          topics: [/event/ApiEventStream]
          profile: profile.yaml
        deadLetters: dl.jsonl
        state: st
        """,
            "c.yaml",
            dir,
            Map.of());
    assertEquals(1, config.orgs().size());
    assertEquals(EngineConfig.SINGLE_ORG_NAME, config.orgs().get(0).name());
    assertEquals(dir.resolve("st"), config.orgs().get(0).durability().stateDir());
    assertEquals(dir.resolve("dl.jsonl"), config.orgs().get(0).deadLetters());
    assertNull(config.api());
    assertTrue(config.alerts().console());
  }

  /**
   * A first onboarding: the profile does not exist yet, the configuration still loads (so {@code
   * profile discover} can write it); run and config check report it by key
   * (StartChecksCommandTest).
   */
  @Test
  void aProfileThatDoesNotExistYetStillLoads() {
    EngineConfig config =
        EngineConfig.parse(
            "orgs:\n  - " + ORG.formatted("a", "").replace("profile.yaml", "missing.yaml"),
            "c.yaml",
            dir,
            Map.of());
    assertEquals(dir.resolve("missing.yaml"), config.orgs().get(0).profile());
  }

  @Test
  void howFarAheadARealOrgsEventsMayBeDatedIsSetPerOrgAndNeverBoundsADrillOrg() {
    EngineConfig config =
        EngineConfig.parse(
            "orgs:\n  - "
                + ORG.formatted("a", ", maxEventAheadMinutes: 180")
                + "\n  - "
                + ORG.formatted("b", "")
                + "\n  - "
                + ORG.formatted("c", ", drill: true, maxEventAheadMinutes: 180"),
            "c.yaml",
            dir,
            Map.of());
    assertEquals(
        List.of(10_800_000L, 3_600_000L, 0L),
        config.orgs().stream().map(OrgConfig::maxAheadMillis).toList());
  }

  private static final String ORG =
      "{name: %s, endpoint: {host: h, port: 7443}, auth: {accessToken: t, instanceUrl: u, tenantId: x}, "
          + "topics: [/event/ApiEventStream], profile: profile.yaml%s}";

  private String problem(String yaml) throws Exception {
    Files.writeString(dir.resolve("profile.yaml"), "timeZone: UTC\n");
    return assertThrows(
            ConfigException.class,
            () -> EngineConfig.parse(yaml, "c.yaml", dir, Map.of("SHORT", "abc")))
        .getMessage();
  }

  @Test
  void badValuesNameTheFileTheKeyAndTheProblem() throws Exception {
    assertEquals(
        "c.yaml: orgs[0].endpoint.port: must be a whole number from 1 to 65535",
        problem(
            "orgs:\n  - {name: a, endpoint: {host: h, port: 99999}, auth: {accessToken: t, instanceUrl: u, tenantId: x}, topics: [a], profile: p}"));
    assertTrue(problem("orgs: []\nsinks: []").startsWith("c.yaml: sinks: unknown key"));
    assertEquals(
        "c.yaml: orgs[0].stallWaitSeconds: must be a whole number from 1 to 300",
        problem(
            "orgs:\n  - {name: a, endpoint: {host: h, port: 7443}, auth: {accessToken: t, instanceUrl: u, tenantId: x}, topics: [/event/ApiEventStream],"
                + " stallWaitSeconds: 0, profile: p}"));
    assertEquals(
        "c.yaml: orgs[0].maxEventAheadMinutes: must be a whole number from 1 to 10080",
        problem("orgs:\n  - " + ORG.formatted("a", ", maxEventAheadMinutes: 0")));
    assertEquals(
        "c.yaml: orgs: must be a non-empty list of orgs, each with a name", problem("orgs: []"));
    assertEquals(
        "c.yaml: orgs: is required: the list of Salesforce orgs to watch", problem("state: s"));
    assertEquals(
        "c.yaml: org: give either org (one org) or orgs (a list), not both",
        problem("org: {}\norgs: []"));
    assertEquals(
        "c.yaml: orgs[1].name: org 'A' is named twice; each org needs its own name and state",
        problem("orgs:\n  - " + ORG.formatted("a", "") + "\n  - " + ORG.formatted("A", "")));
    assertTrue(
        problem("orgs:\n  - " + ORG.formatted("'../up'", ""))
            .startsWith("c.yaml: orgs[0].name: must be 1 to 63 letters"));
    assertEquals(
        "c.yaml: orgs[0].name: is required", problem("orgs:\n  - {endpoint: {host: h, port: 1}}"));
    assertTrue(
        problem("orgs:\n  - " + ORG.formatted("a", ", replays: latest"))
            .startsWith("c.yaml: orgs[0].replays: unknown key"));
    assertEquals(
        "c.yaml: orgs[0].replay: must be latest or earliest, was 'newest'",
        problem("orgs:\n  - " + ORG.formatted("a", ", replay: newest")));
    assertEquals(
        "c.yaml: orgs[0].drill: must be true or false",
        problem("orgs:\n  - " + ORG.formatted("a", ", drill: maybe")));
    assertEquals(
        "c.yaml: orgs[0].topics[1]: /event/ApiEventStream is listed twice",
        problem(
            "orgs:\n  - "
                + ORG.formatted("a", "")
                    .replace(
                        "topics: [/event/ApiEventStream]",
                        "topics: [/event/ApiEventStream, /event/ApiEventStream]")));
    assertEquals(
        "c.yaml: alerts.email: unknown key (expected one of [console, files, jsonl, ocsf, salesforce, slack, syslog, webhooks])",
        problem("orgs:\n  - " + ORG.formatted("a", "") + "\nalerts: {email: x}"));
  }

  @Test
  void theApiNeedsLongTokensAndExistingCertificateFiles() throws Exception {
    String orgs = "orgs:\n  - " + ORG.formatted("a", "") + "\n";
    assertEquals("c.yaml: api.tokens: is required", problem(orgs + "api: {port: 8443}"));
    assertEquals(
        "c.yaml: api.tokens[0]: must be at least 16 characters (a long random string)",
        problem(orgs + "api: {port: 8443, tokens: ['${SHORT}']}"));
    assertEquals(
        "c.yaml: api.tokens[0]: environment variable API_TOKEN is not set",
        problem(orgs + "api: {port: 8443, tokens: ['${API_TOKEN}']}"));
    assertTrue(
        problem(
                orgs
                    + "api: {port: 8443, tokens: [0123456789abcdef0], tls: {cert: c.pem, key: k.pem}}")
            .startsWith("c.yaml: api.tls.cert: file "));
    String abc = problem(orgs + "api: {port: 8443, tokens: ['${SHORT}xxxx']}");
    assertFalse(abc.contains("abc"), "a token's value never appears in an error: " + abc);
    ApiConfig api =
        EngineConfig.parse(
                orgs + "api: {port: 0, tokens: ['${TOKEN}']}",
                "c.yaml",
                dir,
                Map.of("TOKEN", "0123456789abcdef0\n"))
            .api();
    assertEquals(
        List.of("0123456789abcdef0"),
        api.tokens(),
        "a mounted secret's trailing newline is not part of the token");
    assertEquals("127.0.0.1", api.host(), "loopback unless told otherwise");
    assertFalse(api.tls());
  }
}
