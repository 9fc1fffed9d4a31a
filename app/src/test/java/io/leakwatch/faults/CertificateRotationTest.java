package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server restarts with a new certificate: the engine says plainly that the certificate no
 * longer matches the pinned file, and once the operator replaces the file it reconnects by itself
 * (the file is read again at every attempt) and loses nothing.
 */
@Tag("faults")
class CertificateRotationTest {
  @TempDir Path dir;

  @Test
  void aRotatedServerCertificateIsReportedAsSuchAndPickedUpFromThePinnedFile() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(5, 200);
    List<SimEvent> events = Scenarios.day(org, LocalDate.of(2026, 3, 10), Scenarios.all()).events();
    int half = events.size() / 2;
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
    PubSubServer.Settings settings =
        PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls-old"))
            .withTimers(Duration.ofMillis(300), Duration.ofSeconds(60));
    PubSubServer server = PubSubServer.start(settings, EventSchemas.standard().byTopic(), 1_000);
    Path pinned = dir.resolve("pinned.pem");
    Files.copy(server.certificate(), pinned);

    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(SubscriptionVerticle.class);
    logger.addAppender(log);
    try (LeakwatchEngine engine = engine(org, server.port(), pinned)) {
      new Playback(server, events.subList(0, half), 0).run();
      StreamFaultsTest.await(() -> engine.processed() >= half, "the first half", 60_000);
      int port = server.port();
      server.close();
      // The same events stay retained (a restarted org keeps its bus), with a new certificate.
      server =
          PubSubServer.start(
              settings.withPort(port).withCertificateDir(dir.resolve("tls-new")),
              EventSchemas.standard().byTopic(),
              1_000);
      new Playback(server, events, 0).run();
      String mismatch =
          "certificate presented by localhost:"
              + port
              + " does not match the pinned certificate "
              + pinned;
      StreamFaultsTest.await(
          () -> logged(log, mismatch), "the mismatch to be logged as such", 60_000);

      Files.copy(server.certificate(), pinned, StandardCopyOption.REPLACE_EXISTING);
      long replaced = System.nanoTime();
      StreamFaultsTest.await(
          () -> engine.processed() >= events.size(),
          "every event after the pinned file was replaced",
          60_000);
      System.out.printf(
          "fault certificate-rotation: mismatch logged as such; resumed %d ms after the pinned"
              + " file was replaced%n",
          (System.nanoTime() - replaced) / 1_000_000);
      assertTrue(engine.subscriptions().stream().allMatch(SubscriptionVerticle::live));
    } finally {
      logger.detachAppender(log);
      server.close();
    }
  }

  private static boolean logged(ListAppender<ILoggingEvent> log, String text) {
    synchronized (log.list) {
      return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
    }
  }

  private LeakwatchEngine engine(SimulatedOrg org, int port, Path pinned) throws Exception {
    return LeakwatchEngine.start(
        new EngineSettings(
            new PubSubEndpoint("localhost", port, pinned),
            TokenSource.fixed(new AccessGrant("token", org.instanceUrl(), org.orgId())),
            EventSchemas.TOPICS,
            ReplayStart.earliest(),
            OrgProfileLoader.load(dir.resolve("profile.yaml")),
            RulePackLoader.defaultPack(),
            List.of(alert -> {}),
            DeadLetters.toFile(dir.resolve("dead-letters.jsonl")),
            false,
            0,
            1_000,
            2_000,
            new Durability(
                null,
                ReplayStart.earliest(),
                Durability.DEFAULT_HORIZON_MILLIS,
                1_500,
                false,
                2_000)));
  }
}
