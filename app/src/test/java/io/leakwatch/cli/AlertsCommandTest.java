package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leakwatch alerts resend-dead-letters}: a sink's dead letters go back into its spool once,
 * with counts and paths printed and never a payload; an unknown sink is a usage error naming the
 * sinks there are.
 */
class AlertsCommandTest {
  @TempDir Path dir;
  private Path config;

  @BeforeEach
  void files() throws Exception {
    Files.copy(Path.of("../rules/pack/test-profile.yaml"), dir.resolve("profile.yaml"));
    config = dir.resolve("leakwatch.yaml");
    Files.writeString(
        config,
        """
        orgs:
          - name: acme
            endpoint: {host: localhost, port: 7443}
            auth: {accessToken: 'token-never-used', instanceUrl: 'https://acme.my.salesforce.com', tenantId: 00D000000000001AAA}
            topics: [/event/ApiEventStream]
            profile: profile.yaml
        alerts:
          console: false
          webhooks: [{name: soc, url: 'http://127.0.0.1:9/hook', secret: 0123456789abcdef, spool: spool/soc}]
          syslog: [{host: 127.0.0.1, port: 9, spool: spool/siem}]
        state: state
        """);
    Path spool = Files.createDirectories(dir.resolve("spool/soc"));
    Files.writeString(
        spool.resolve("dead-letters.jsonl"),
        """
        {"at":"2026-03-09T14:00:00Z","sink":"soc","deliveryKey":"lw-1","reason":"HTTP 401: token expired","payload":"{\\"id\\":\\"lw-1\\",\\"marker\\":\\"PAYLOAD-NEVER-PRINTED\\"}"}
        {"at":"2026-03-09T14:00:01Z","sink":"soc","deliveryKey":"lw-2","reason":"HTTP 401: token expired","payload":"{\\"id\\":\\"lw-2\\"}"}
        """);
  }

  @Test
  void putsTheDeadLettersBackOnceAndPrintsCountsNotPayloads() throws Exception {
    CliRun first =
        CliRun.of("alerts", "resend-dead-letters", "--config", config.toString(), "--sink", "soc");
    assertEquals(0, first.exit(), first.out() + first.err());
    assertTrue(first.out().contains("soc: put 2 dead letter(s) back into the spool"), first.out());
    assertFalse((first.out() + first.err()).contains("PAYLOAD-NEVER-PRINTED"));
    assertFalse((first.out() + first.err()).contains("token expired"), "the receiver's answer");
    assertEquals(2, Files.readAllLines(dir.resolve("spool/soc/pending.jsonl")).size());

    CliRun second =
        CliRun.of("alerts", "resend-dead-letters", "--config", config.toString(), "--sink", "soc");
    assertEquals(0, second.exit(), second.out() + second.err());
    assertTrue(second.out().contains("soc: no dead letters"), second.out());
    assertEquals(2, Files.readAllLines(dir.resolve("spool/soc/pending.jsonl")).size());
  }

  @Test
  void anUnknownSinkIsAUsageErrorNamingTheSpooledSinks() {
    CliRun run =
        CliRun.of("alerts", "resend-dead-letters", "--config", config.toString(), "--sink", "x");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("no spooled sink named 'x'"), run.err());
    assertTrue(run.err().contains("soc, syslog[0]"), run.err());
  }
}
