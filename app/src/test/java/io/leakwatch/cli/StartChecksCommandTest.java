package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code config check} finds at check time what {@code run} would fail on at start, and {@code run}
 * names the same key: folders it cannot create, a misspelt topic, a certificate that is not PEM, a
 * port in use. Nothing here reaches a server: the checks come first.
 */
class StartChecksCommandTest {
  @TempDir Path dir;

  @BeforeEach
  void profile() throws Exception {
    Files.copy(Path.of("../rules/pack/test-profile.yaml"), dir.resolve("profile.yaml"));
  }

  private Path config(String state, String topics, String extraOrgLines, String apiPort)
      throws Exception {
    String text =
        """
        orgs:
          - name: acme
            endpoint: {host: localhost, port: 7443%s}
            auth: {accessToken: 'token-never-used', instanceUrl: 'https://acme.my.salesforce.com', tenantId: 00D000000000001AAA}
            topics: %s
            profile: profile.yaml
        alerts: {console: false, jsonl: alerts.jsonl}
        state: %s
        %s
        """
            .formatted(
                extraOrgLines,
                topics,
                state,
                apiPort == null
                    ? ""
                    : "api: {host: 127.0.0.1, port: "
                        + apiPort
                        + ", tokens: ['an-api-token-long-enough-0123456789']}");
    Path file = dir.resolve("leakwatch.yaml");
    Files.writeString(file, text);
    return file;
  }

  /** Both commands refuse, with exit 2 and the same key, before anything starts. */
  private String refusedByBoth(Path file) {
    CliRun check = CliRun.of("config", "check", file.toString());
    assertEquals(2, check.exit(), check.out() + check.err());
    CliRun run = CliRun.of("run", "--config", file.toString());
    assertEquals(2, run.exit(), run.out() + run.err());
    assertEquals(check.err(), run.err(), "run names the problem as config check does");
    assertFalse(check.out().contains(": OK,"), check.out());
    return check.err();
  }

  @Test
  void aStateFolderUnderARegularFileIsNamedByItsKey() throws Exception {
    Files.writeString(dir.resolve("plain-file"), "not a folder");
    String err = refusedByBoth(config("plain-file/state", "[/event/ApiEventStream]", "", null));
    assertTrue(err.contains(": state: "), err);
    assertTrue(err.contains("is a file, not a folder"), err);
  }

  /**
   * A first onboarding: the configuration loads, and both commands say how to write the profile.
   */
  @Test
  void aMissingProfileIsNamedByItsKeyWithHowToWriteIt() throws Exception {
    Files.delete(dir.resolve("profile.yaml"));
    String err = refusedByBoth(config("state", "[/event/ApiEventStream]", "", null));
    assertTrue(err.contains("orgs[0].profile: "), err);
    assertTrue(err.contains("does not exist: write it with `leakwatch profile discover"), err);
  }

  @Test
  void aMisspeltTopicGetsTheNearestKnownOne() throws Exception {
    String err = refusedByBoth(config("state", "[/event/ApiEventStrem]", "", null));
    assertTrue(err.contains("orgs[0].topics: /event/ApiEventStrem"), err);
    assertTrue(err.contains("did you mean /event/ApiEventStream?"), err);
  }

  @Test
  void aTrustCertificateThatIsNotPemGetsAPlainMessage() throws Exception {
    Files.writeString(dir.resolve("trust.pem"), "this is no certificate\n");
    String err =
        refusedByBoth(
            config("state", "[/event/ApiEventStream]", ", trustCertificate: trust.pem", null));
    assertTrue(err.contains("orgs[0].endpoint.trustCertificate: "), err);
    assertTrue(err.contains("is not a PEM certificate"), err);
    assertFalse(err.contains("io.grpc") || err.contains("netty"), "no library class names");
  }

  @Test
  void anApiPortInUseIsFoundBeforeRunStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      String err =
          refusedByBoth(
              config(
                  "state", "[/event/ApiEventStream]", "", Integer.toString(taken.getLocalPort())));
      assertTrue(err.contains(": api.port: 127.0.0.1:" + taken.getLocalPort()), err);
    }
  }

  @Test
  void aStaleAfterBelowTheKeepaliveIsAWarningNotAnError() throws Exception {
    Path file = config("state", "[/event/ApiEventStream]", "", null);
    Files.writeString(
        file,
        Files.readString(file)
            .replace(
                "    profile: profile.yaml",
                "    profile: profile.yaml\n    staleAfterSeconds: 20"));
    CliRun check = CliRun.of("config", "check", file.toString());
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(check.out().contains(": OK, 1 org"), check.out());
    assertTrue(check.out().contains("warning: orgs[0].staleAfterSeconds: 20 s"), check.out());
  }

  /**
   * {@code config check} beside a running engine: it opens no spool (the engine holds their locks,
   * and their pending alerts are the engine's to deliver), starts no delivery and creates no
   * folder.
   */
  @Test
  void configCheckBesideARunningEngineOpensNoSpoolStartsNoDeliveryAndCreatesNothing()
      throws Exception {
    Path file = config("state", "[/event/ApiEventStream]", "", null);
    Files.writeString(
        file,
        Files.readString(file)
            .replace(
                "alerts: {console: false, jsonl: alerts.jsonl}",
                """
                alerts:
                  console: false
                  files: [{path: new-alerts/alerts.jsonl}]
                  webhooks: [{name: soc, url: 'http://127.0.0.1:9/hook', secret: 0123456789abcdef, spool: spool/soc}]
                  slack: [{name: team, url: 'http://127.0.0.1:9/slack', spool: spool/new}]"""));
    Path running = dir.resolve("spool/soc");
    Files.createDirectories(running);
    Files.writeString(
        running.resolve("pending.jsonl"), "{\"key\":\"lw-1\",\"payload\":\"{}\",\"at\":1}\n");
    io.leakwatch.alert.DeliveryTransport down =
        (key, payload) -> io.leakwatch.alert.DeliveryOutcome.retry("HTTP 503");
    try (var engineSink =
        new io.leakwatch.alert.SpooledAlertSink(
            "soc",
            running,
            io.leakwatch.alert.AlertJson::toJson,
            io.leakwatch.alert.DrillPolicy.SKIP,
            false,
            down,
            io.leakwatch.alert.Backoff.DEFAULT)) {
      CliRun check = CliRun.of("config", "check", file.toString());
      assertEquals(0, check.exit(), check.out() + check.err());
      assertEquals(1, engineSink.pending(), "the running engine's alert is still its own");
    }
    assertFalse(Files.exists(dir.resolve("spool/new")), "config check created a spool folder");
    assertFalse(Files.exists(dir.resolve("new-alerts")), "config check created an alerts folder");
    assertEquals(
        "{\"key\":\"lw-1\",\"payload\":\"{}\",\"at\":1}\n",
        Files.readString(running.resolve("pending.jsonl")));
  }
}
