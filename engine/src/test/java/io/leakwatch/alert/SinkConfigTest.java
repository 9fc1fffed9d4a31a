package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leakwatch.binding.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkConfigTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, String> ENV =
      Map.of(
          "LEAKWATCH_WEBHOOK_SECRET",
          "s3cret-s3cret-s3cret",
          "SLACK_WEBHOOK_URL",
          "https://hooks.slack.example/services/T000/B000/XXXXXXXX",
          "SF_ACCESS_TOKEN",
          "00Dxx!token");

  @TempDir Path dir;

  private static void closeAll(List<AlertSink> sinks) throws Exception {
    for (AlertSink sink : sinks) {
      sink.close();
    }
  }

  @Test
  void theExampleWithEverySinkParses() throws Exception {
    JsonNode root = YAML.readTree(Files.readString(Path.of("../examples/alert-sinks.yaml")));
    List<AlertSink> sinks = SinkConfig.parse(root.get("alerts"), "alert-sinks.yaml", dir, ENV);
    try {
      assertEquals(
          List.of(
              "ConsoleAlertSink",
              "JsonLinesAlertSink",
              "SpooledAlertSink",
              "SpooledAlertSink",
              "SpooledAlertSink",
              "JsonLinesAlertSink",
              "SpooledAlertSink"),
          sinks.stream().map(s -> s.getClass().getSimpleName()).toList());
      assertEquals(
          List.of("soc-intake", "security-alerts", "siem", "org-alert-event"),
          sinks.stream()
              .filter(s -> s instanceof SpooledAlertSink)
              .map(s -> ((SpooledAlertSink) s).name())
              .toList());
      assertTrue(Files.isDirectory(dir.resolve("spool/soc-intake")));
    } finally {
      closeAll(sinks);
    }
  }

  @Test
  void theReadmeShowsTheExampleAsItIs() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    int section = readme.indexOf("## Alert sinks");
    int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
    String shown = readme.substring(start, readme.indexOf("```", start));
    String example = Files.readString(Path.of("../examples/alert-sinks.yaml"));
    assertEquals(example.substring(example.indexOf("\nalerts:") + 1), shown);
  }

  @Test
  void yamlBecomesWorkingSinks() throws Exception {
    try (HttpReceiver receiver = new HttpReceiver(0)) {
      String yaml =
          "console: false\n"
              + "files: [{path: out/a.jsonl, format: ocsf}]\n"
              + "webhooks: [{url: '"
              + receiver.url()
              + "', secret: '${LEAKWATCH_WEBHOOK_SECRET}', spool: sp, retry: {initialMillis: 10, maxMillis: 20},\n"
              + "            headers: {Authorization: 'Bearer ${COLLECTOR_TOKEN}'}}]\n";
      Map<String, String> env = new java.util.HashMap<>(ENV);
      env.put("COLLECTOR_TOKEN", "tok-123");
      List<AlertSink> sinks = SinkConfig.parse(YAML.readTree(yaml), "c.yaml", dir, env);
      try {
        for (AlertSink sink : sinks) {
          sink.accept(TestAlerts.alert("cfg1"));
        }
        HttpReceiver.Request request =
            receiver.successful(1, java.time.Duration.ofSeconds(20)).get(0);
        assertTrue(
            new WebhookSignature("s3cret-s3cret-s3cret".getBytes())
                .verify(
                    request.header("Leakwatch-Signature"),
                    request.header("Leakwatch-Timestamp"),
                    request.body().getBytes(),
                    Long.parseLong(request.header("Leakwatch-Timestamp")),
                    5));
        assertEquals("Bearer tok-123", request.header("Authorization"));
        assertTrue(Files.readString(dir.resolve("out/a.jsonl")).contains("\"class_uid\":2004"));
      } finally {
        closeAll(sinks);
      }
    }
  }

  private String problem(String yaml, Map<String, String> env) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> closeAll(SinkConfig.parse(YAML.readTree(yaml), "c.yaml", dir, env)));
    return e.getMessage();
  }

  @Test
  void problemsNameTheirKeyAndNeverTheSecret() {
    assertEquals(
        "c.yaml: alerts.webhooks[0].secret: environment variable HOOK_SECRET is not set",
        problem(
            "webhooks: [{url: 'https://x.example/h', secret: '${HOOK_SECRET}', spool: s}]",
            Map.of()));
    String tooShort =
        problem(
            "webhooks: [{url: 'https://x.example/h', secret: shortsecret, spool: s}]", Map.of());
    assertEquals("c.yaml: alerts.webhooks[0].secret: must be at least 16 bytes long", tooShort);
    assertFalse(tooShort.contains("shortsecret"));
    assertTrue(
        problem("webhooks: [{url: 'https://x.example/h', spool: s}]", Map.of())
            .startsWith("c.yaml: alerts.webhooks[0].secret: is required"));
    assertEquals(
        "c.yaml: alerts.webhooks[0].url: must use https (plain http is allowed only to localhost)",
        problem(
            "webhooks: [{url: 'http://x.example/h', secret: 0123456789abcdef, spool: s}]",
            Map.of()));
    assertEquals(
        "c.yaml: alerts.slack[1].spool: is required",
        problem(
            "slack: [{url: 'https://a.example/1', spool: s1}, {url: 'https://a.example/2'}]",
            Map.of()));
    assertEquals(
        "c.yaml: alerts.syslog[0].port: must be a whole number from 1 to 65535",
        problem("syslog: [{host: h, port: 70000, spool: s}]", Map.of()));
    assertEquals(
        "c.yaml: alerts.files[0].rotate.keep: must be a whole number from 1 to 10000",
        problem("files: [{path: a.jsonl, rotate: {daily: true, keep: 0}}]", Map.of()));
    assertEquals(
        "c.yaml: alerts.files[0].format: must be leakwatch or ocsf, was 'xml'",
        problem("files: [{path: a.jsonl, format: xml}]", Map.of()));
    assertTrue(
        problem(
                "webhooks: [{url: 'https://x.example/h', secret: 0123456789abcdef, spool: s, drill: skip}]",
                Map.of())
            .startsWith("c.yaml: alerts.webhooks[0].drill: unknown key"));
    assertEquals(
        "c.yaml: alerts.webhooks[0].drills: must be skip or mark, was 'page'",
        problem(
            "webhooks: [{url: 'https://x.example/h', secret: 0123456789abcdef, spool: s, drills: page}]",
            Map.of()));
    assertEquals(
        "c.yaml: alerts.salesforce[0].topic: must name a custom platform event channel such as /event/Leakwatch_Alert__e, was '/event/ApiEventStream'",
        problem(
            "salesforce: [{endpoint: {host: h, port: 7443}, auth: {accessToken: t, instanceUrl: u, tenantId: x}, "
                + "topic: /event/ApiEventStream, spool: s}]",
            Map.of()));
    String slackUrl =
        problem(
            "slack: [{url: 'https://hooks.slack.example/services/T0/B0/SECRETPART with space', spool: s}]",
            Map.of());
    assertEquals("c.yaml: alerts.slack[0].url: is not a valid URL", slackUrl);
    assertTrue(problem("sinks: []", Map.of()).startsWith("c.yaml: alerts.sinks: unknown key"));
    assertEquals(
        "c.yaml: alerts.webhooks[0].headers.Idempotency-Key: is set by Leakwatch or the HTTP client and cannot be configured",
        problem(
            "webhooks: [{url: 'https://x.example/h', secret: 0123456789abcdef, spool: s, headers: {Idempotency-Key: x}}]",
            Map.of()));
  }

  /**
   * Two sinks on one spool folder finish each other's alerts; the folder is compared as the file
   * system sees it (through {@code ..} and symbolic links), and two sinks cannot share a name.
   */
  @Test
  void twoSinksOnOneSpoolFolderOrWithOneNameAreRejectedNamingBothKeys() throws Exception {
    String hook = "{url: 'https://x.example/h', secret: 0123456789abcdef, ";
    assertEquals(
        "c.yaml: alerts.webhooks[1].spool: is the same folder as alerts.webhooks[0].spool; each"
            + " sink needs a spool folder of its own (a shared one loses alerts)",
        problem(
            "webhooks: ["
                + hook
                + "name: soc, spool: spool/x}, "
                + hook
                + "name: siem, spool: spool/x}]",
            Map.of()));
    Files.createDirectories(dir.resolve("real"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
    assertEquals(
        "c.yaml: alerts.syslog[0].spool: is the same folder as alerts.webhooks[0].spool; each"
            + " sink needs a spool folder of its own (a shared one loses alerts)",
        problem(
            "webhooks: ["
                + hook
                + "spool: real/siem}]\n"
                + "syslog: [{host: 127.0.0.1, port: 6514, spool: 'link/../link/siem'}]",
            Map.of()));
    assertEquals(
        "c.yaml: alerts.slack[0].name: 'soc' is also the name of alerts.webhooks[0]; each sink"
            + " needs a name of its own",
        problem(
            "webhooks: ["
                + hook
                + "name: soc, spool: a}]\n"
                + "slack: [{url: 'https://hooks.slack.example/x', name: soc, spool: b}]",
            Map.of()));
  }

  /**
   * Two file sinks on one file would interleave their lines, rotate it under each other and take
   * each other's lines for their own (a line one wrote, the other never writes): rejected naming
   * both keys, the paths compared as the file system sees them.
   */
  @Test
  void twoFileSinksOnOneFileAreRejectedNamingBothKeys() throws Exception {
    String sameFile =
        "; each file sink needs a file of its own (two would interleave, rotate and de-duplicate"
            + " each other's lines)";
    assertEquals(
        "c.yaml: alerts.files[0].path: is the same file as alerts.jsonl" + sameFile,
        problem("jsonl: out/alerts.jsonl\nfiles: [{path: out/../out/alerts.jsonl}]", Map.of()));
    Files.createDirectories(dir.resolve("real"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
    assertEquals(
        "c.yaml: alerts.ocsf[0].path: is the same file as alerts.files[1].path" + sameFile,
        problem(
            "files: [{path: real/a.jsonl}, {path: real/b.jsonl}]\nocsf: [{path: link/b.jsonl}]",
            Map.of()));
    closeAll(
        SinkConfig.parse(
            YAML.readTree("files: [{path: real/a.jsonl}]\nocsf: [{path: real/a-ocsf.jsonl}]"),
            "c.yaml",
            dir,
            Map.of()));
  }

  @Test
  void aSyslogSinksRepeatWindowComesFromItsConfigTenSecondsByDefault() throws Exception {
    List<AlertSink> sinks =
        SinkConfig.parse(
            YAML.readTree(
                "console: false\n"
                    + "syslog: [{host: 127.0.0.1, port: 6514, spool: a, repeatWindowSeconds: 3},\n"
                    + "         {host: 127.0.0.1, port: 6515, spool: b}]\n"),
            "c.yaml",
            dir,
            ENV);
    try {
      assertEquals(
          List.of(java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(10)),
          sinks.stream()
              .map(s -> ((SyslogTransport) ((SpooledAlertSink) s).transport()).repeatWindow())
              .toList());
    } finally {
      closeAll(sinks);
    }
    assertEquals(
        "c.yaml: alerts.syslog[0].repeatWindowSeconds: must be a whole number from 0 to 300",
        problem("syslog: [{host: h, port: 6514, spool: s, repeatWindowSeconds: 600}]", Map.of()));
  }

  @Test
  void noAlertsKeyMeansTheConsole() throws Exception {
    List<AlertSink> sinks = SinkConfig.parse(null, "c.yaml", dir, Map.of());
    assertEquals(1, sinks.size());
    assertTrue(sinks.get(0) instanceof ConsoleAlertSink);
  }
}
