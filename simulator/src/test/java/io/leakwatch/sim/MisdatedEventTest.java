package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One event dated far past the host's clock, in a real org's stream while another stream keeps
 * delivering. Unbounded, it would sort last in the merge and hold its stream's later events for as
 * long as the other stream delivers, with nothing reported; the engine refuses it instead
 * (dead-lettered, with the reason) and the stream goes on.
 */
class MisdatedEventTest {
  private static final int READS = 20;
  private static final int MISDATED = 10;

  @TempDir Path dir;

  @Test
  void anEventDatedDaysAheadIsDeadLetteredAndItsStreamGoesOn() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(13, 100);
    List<SimEvent> day = new TrafficGenerator(org).day(LocalDate.of(2026, 3, 10));
    List<SimEvent> reads = day.stream().filter(e -> e.topic().equals(EventSchemas.API)).toList();
    List<SimEvent> views =
        day.stream().filter(e -> e.topic().equals(EventSchemas.LIGHTNING_URI)).toList();
    assertTrue(reads.size() >= READS && views.size() > 500, "the day has reads and page views");
    Path deadLetters = dir.resolve("dead-letters.jsonl");
    AtomicBoolean viewsFlow = new AtomicBoolean(true);
    try (PubSubServer server = TestSupport.serve(org, dir);
        LeakwatchEngine engine =
            LeakwatchEngine.start(
                TestSupport.engineOn(server, org, dir)
                    .topics(List.of(EventSchemas.API, EventSchemas.LIGHTNING_URI))
                    .deadLetters(DeadLetters.toFile(deadLetters))
                    .maxAheadMillis(EngineSettings.MAX_AHEAD_OF_CLOCK_MILLIS)
                    .build())) {
      // Logins keep coming, a few a second, for as long as the test looks: the merge never sees
      // LoginEventStream fall silent, so nothing but the bound lets the reads past the misdated
      // one.
      Thread publisher =
          new Thread(
              () -> {
                long lastRead = reads.get(READS - 1).eventDate();
                for (SimEvent view : views) {
                  if (!viewsFlow.get()) {
                    return;
                  }
                  publish(server, view);
                  if (view.eventDate() <= lastRead) {
                    continue; // at once up to the reads' time, then a few a second
                  }
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      publisher.start();
      try {
        for (int i = 0; i < READS; i++) {
          SimEvent read = reads.get(i);
          if (i == MISDATED) {
            GenericRecord misdated =
                new GenericData.Record((GenericData.Record) read.record(), true);
            misdated.put("EventDate", System.currentTimeMillis() + Duration.ofDays(30).toMillis());
            server.publish(read.topic(), read.eventIdentifier(), EventSchemas.encode(misdated));
          } else {
            publish(server, read);
          }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (handled(engine) < READS && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertTrue(
            publisher.isAlive(), "page views were still flowing when the reads were all handled");
      } finally {
        viewsFlow.set(false);
        publisher.join();
      }
      SubscriptionVerticle readsStream =
          engine.subscriptions().stream()
              .filter(s -> s.topic().equals(EventSchemas.API))
              .findFirst()
              .orElseThrow();
      TestSupport.await(() -> readsStream.processed() == READS, "the reads' batches confirmed");
      assertEquals(
          reads.get(READS - 1).eventDate(),
          readsStream.lastEventTime(),
          "the topic's time (its checkpoint's, and so its resume point's) ignores the misdated one");
      assertEquals(READS - 1, count(engine.stats().processedByTopic()), "the reads around it");
      assertEquals(1, count(engine.stats().deadLetteredByTopic()), "the misdated read");
      List<String> lines = Files.readAllLines(deadLetters);
      assertEquals(1, lines.size());
      assertTrue(lines.get(0).contains(reads.get(MISDATED).eventIdentifier()), lines.get(0));
      assertTrue(
          lines.get(0).contains("h after this host's clock (more than the 60 min allowed)"),
          lines.get(0));
    }
  }

  private static void publish(PubSubServer server, SimEvent event) {
    server.publish(event.topic(), event.eventIdentifier(), EventSchemas.encode(event.record()));
  }

  private static long handled(LeakwatchEngine engine) {
    return count(engine.stats().processedByTopic()) + count(engine.stats().deadLetteredByTopic());
  }

  private static long count(Map<String, Long> byTopic) {
    return byTopic.getOrDefault(EventSchemas.API, 0L);
  }
}
