package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(SubscriptionVerticle.class);
    logger.addAppender(log);
    try (SimulatedDay day = SimulatedDay.serve(dir, Duration.ofMillis(300))) {
      List<SimEvent> events = day.events();
      int half = events.size() / 2;
      Path pinned = dir.resolve("pinned.pem");
      Files.copy(day.server().certificate(), pinned);
      int port = day.server().port();
      try (LeakwatchEngine engine =
          day.engine(
              new PubSubEndpoint("localhost", port, pinned),
              day.tokens(),
              day.durability(1_000, 2_000),
              1_000)) {
        new Playback(day.server(), events.subList(0, half), 0).run();
        Await.until(() -> engine.processed() >= half, "the first half");
        // A new certificate; the events published so far stay on the bus, under their replay ids.
        PubSubServer server = day.restartServer(s -> s.withCertificateDir(dir.resolve("tls-new")));
        new Playback(server, events.subList(half, events.size()), 0).run();
        String mismatch =
            "certificate presented by localhost:"
                + port
                + " does not match the pinned certificate "
                + pinned;
        Await.until(() -> logged(log, mismatch), "the mismatch to be logged as such");

        Files.copy(server.certificate(), pinned, StandardCopyOption.REPLACE_EXISTING);
        long replaced = System.nanoTime();
        Await.until(
            () -> engine.processed() >= events.size(),
            "every event after the pinned file was replaced");
        System.out.printf(
            "fault certificate-rotation: mismatch logged as such; resumed %d ms after the pinned"
                + " file was replaced%n",
            (System.nanoTime() - replaced) / 1_000_000);
        assertTrue(engine.subscriptions().stream().allMatch(SubscriptionVerticle::live));
        assertEquals(0, day.lost(), "events never processed");
      }
    } finally {
      logger.detachAppender(log);
    }
  }

  private static boolean logged(ListAppender<ILoggingEvent> log, String text) {
    synchronized (log) {
      return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
    }
  }
}
