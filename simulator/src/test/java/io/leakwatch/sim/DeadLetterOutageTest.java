package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dead letter the file refuses (a full disk) holds processing at that event, says so in the
 * engine's readiness, and loses nothing: once the file takes it, the events behind it are processed
 * and every position is confirmed. Before, the events released with it were dropped unprocessed and
 * a later commit skipped them.
 */
class DeadLetterOutageTest {
  @TempDir Path dir;

  /** Dead letters that fail while the disk is "full", as a file that cannot be written does. */
  private static final class FlakyDeadLetters implements DeadLetters {
    final AtomicBoolean full = new AtomicBoolean(true);
    final List<String> written = new CopyOnWriteArrayList<>();

    @Override
    public void write(ReceivedEvent event, String reason) {
      if (full.get()) {
        throw new UncheckedIOException(
            "cannot write dead letter", new IOException("No space left on device"));
      }
      written.add(event.eventId());
    }
  }

  @Test
  void eventsBehindAnUnwrittenDeadLetterWaitAndAreProcessedOnceItIsWritten() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(13, 100);
    List<SimEvent> day = new TrafficGenerator(org).day(LocalDate.of(2026, 3, 10));
    List<SimEvent> api =
        day.stream().filter(e -> e.topic().equals("/event/ApiEventStream")).limit(40).toList();
    FlakyDeadLetters letters = new FlakyDeadLetters();
    try (PubSubServer server = TestSupport.serve(org, dir);
        LeakwatchEngine engine =
            LeakwatchEngine.start(
                TestSupport.engineOn(server, org, dir).deadLetters(letters).build())) {
      String schemaId = EventSchemas.standard().schemaId("/event/ApiEventStream");
      for (int i = 0; i < api.size(); i++) {
        byte[] payload = EventSchemas.encode(api.get(i).record());
        // The 11th is garbage: a dead letter, with 29 good events behind it.
        server.publishRaw(
            "/event/ApiEventStream", "e-" + i, schemaId, i == 10 ? new byte[] {1, 2, 3} : payload);
      }
      waitFor(
          () -> engine.commitProblems().stream().anyMatch(p -> p.contains("dead letters")),
          "readiness names the dead letters");
      String problem =
          engine.commitProblems().stream()
              .filter(p -> p.contains("dead letters"))
              .findFirst()
              .get();
      assertTrue(problem.contains("No space left on device"), problem);
      assertTrue(problem.contains("e-10"), problem);
      assertEquals(10, engine.stats().totalProcessed(), "nothing after the letter moves");

      letters.full.set(false);
      waitFor(() -> engine.processed() == api.size(), "every position confirmed");
      assertEquals(List.of("e-10"), letters.written);
      assertEquals(api.size() - 1, engine.stats().totalProcessed());
      assertEquals(1, engine.stats().totalDeadLettered());
      waitFor(() -> engine.commitProblems().isEmpty(), "ready again");
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(20);
    }
  }
}
