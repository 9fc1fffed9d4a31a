package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.leakwatch.auth.AuthException;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.OAuthServer;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three ways to authenticate, for real: OAuth endpoints over HTTPS, tokens that expire and are
 * refused by the Pub/Sub server, and the engine refreshing and resuming where it stopped.
 */
class AuthFlowsTest {
  @TempDir Path dir;
  private SimulatedOrg org;
  private List<SimEvent> events;
  private OAuthServer oauth;
  private PubSubServer server;

  @BeforeEach
  void start() throws Exception {
    org = SimulatedOrg.generate(17, 60);
    events = new TrafficGenerator(org).day(LocalDate.of(2026, 3, 10));
    SelfSignedCertificate tls = SelfSignedCertificate.generate(dir.resolve("tls"));
    oauth =
        OAuthServer.start(org.orgId(), tls.certificate(), tls.privateKey(), Duration.ofHours(2));
    PubSubServer.Settings defaults =
        PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"));
    server =
        PubSubServer.start(
            new PubSubServer.Settings(
                defaults.host(),
                0,
                org.orgId(),
                tls.certificate(),
                tls.privateKey(),
                null,
                Duration.ofMillis(500),
                Duration.ofSeconds(60),
                oauth::isValid),
            EventSchemas.standard().byTopic(),
            1);
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    oauth.close();
  }

  private EngineConfig config(String auth) {
    String yaml =
        """
        org:
          endpoint: {host: localhost, port: %d, trustCertificate: tls/simulator-cert.pem}
          auth: %s
          topics: [/event/ApiEventStream, /event/LoginEventStream]
          replay: earliest
          profile: profile.yaml
        alerts: {console: false}
        state: state
        """
            .formatted(server.port(), auth);
    return EngineConfig.parse(yaml, "leakwatch.yaml", dir, Map.of("SECRET", "s3cr3t-value"));
  }

  private void publish(List<SimEvent> batch) {
    batch.stream()
        .filter(e -> e.topic().equals(EventSchemas.API) || e.topic().equals(EventSchemas.LOGIN))
        .forEach(
            e -> server.publish(e.topic(), e.eventIdentifier(), EventSchemas.encode(e.record())));
  }

  private long count(List<SimEvent> batch) {
    return batch.stream()
        .filter(e -> e.topic().equals(EventSchemas.API) || e.topic().equals(EventSchemas.LOGIN))
        .count();
  }

  @Test
  void jwtBearerFlowRefreshesAnExpiredTokenAndResumesWhereItStopped() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    Files.writeString(
        dir.resolve("leakwatch.key"),
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n",
        StandardCharsets.US_ASCII);
    oauth.registerJwtClient(
        "3MVG9leakwatch", keys.getPublic(), "integration@sim-health.example", "005000000000042AAA");
    EngineConfig config =
        config(
            "{type: jwt, loginUrl: %s, clientId: 3MVG9leakwatch, username: integration@sim-health.example, "
                    .formatted(oauth.url())
                + "privateKey: leakwatch.key, trustCertificate: tls/simulator-cert.pem}");
    int half = events.size() / 2;
    try (LeakwatchEngine engine =
        LeakwatchEngine.start(
            config.orgs().get(0).settings(RulePackLoader.defaultPack(), List.of()))) {
      publish(events.subList(0, half));
      TestSupport.await(
          () -> engine.processed() >= count(events.subList(0, half)),
          "events with the first token");
      oauth.expireAll();
      server.dropStreams(Status.UNAVAILABLE);
      publish(events.subList(half, events.size()));
      TestSupport.await(
          () -> engine.processed() >= count(events), "events after the token was refreshed");
    }
    assertTrue(oauth.issued() >= 2, "a second token was issued");
  }

  @Test
  void clientCredentialsFlowAuthenticatesAndAWrongSecretFailsClearly() throws Exception {
    oauth.registerSecretClient("3MVG9cc", "s3cr3t-value", "005000000000043AAA");
    try (LeakwatchEngine engine =
        LeakwatchEngine.start(
            config(
                    "{type: clientCredentials, loginUrl: %s, clientId: 3MVG9cc, "
                            .formatted(oauth.url())
                        + "clientSecret: '${SECRET}', trustCertificate: tls/simulator-cert.pem}")
                .orgs()
                .get(0)
                .settings(RulePackLoader.defaultPack(), List.of()))) {
      publish(events);
      TestSupport.await(() -> engine.processed() >= count(events), "events");
    }
    EngineConfig wrong =
        config(
            "{type: clientCredentials, loginUrl: %s, clientId: 3MVG9cc, clientSecret: not-it, "
                    .formatted(oauth.url())
                + "trustCertificate: tls/simulator-cert.pem}");
    AuthException refused =
        assertThrows(
            AuthException.class,
            () ->
                LeakwatchEngine.start(
                    wrong.orgs().get(0).settings(RulePackLoader.defaultPack(), List.of())));
    assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
    assertFalse(refused.getMessage().contains("not-it"), "the secret never appears in errors");
  }

  @Test
  void theSimulatorRefusesTokensItDidNotIssue() {
    EngineConfig forged =
        config(
            "{accessToken: forged, instanceUrl: %s, tenantId: %s}"
                .formatted(oauth.url(), org.orgId()));
    Exception refused =
        assertThrows(
            Exception.class,
            () ->
                LeakwatchEngine.start(
                    forged.orgs().get(0).settings(RulePackLoader.defaultPack(), List.of())));
    assertTrue(
        String.valueOf(refused.getMessage()).contains("UNAUTHENTICATED"), refused.toString());
  }
}
