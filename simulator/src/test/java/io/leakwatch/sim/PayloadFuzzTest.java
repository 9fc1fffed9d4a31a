package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of mutated payloads over the wire into a running engine: flipped bits, truncations,
 * garbage, absurd length prefixes, wrong schema ids, oversized events. Nothing may crash, and every
 * payload must end up either processed or dead-lettered.
 */
class PayloadFuzzTest {
  private static final int PAYLOADS = 5_000;

  @TempDir Path dir;

  @Test
  void everyMutatedPayloadIsProcessedOrDeadLetteredAndNothingCrashes() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(13, 100);
    List<SimEvent> valid = new TrafficGenerator(org).day(LocalDate.of(2026, 3, 10));
    Random random = new Random(20261123);
    try (PubSubServer server = TestSupport.serve(org, dir);
        LeakwatchEngine engine =
            LeakwatchEngine.start(
                TestSupport.engineOn(server, org, dir)
                    .deadLetters(DeadLetters.toFile(dir.resolve("dead-letters.jsonl")))
                    .build())) {
      for (int i = 0; i < PAYLOADS; i++) {
        SimEvent source = valid.get(random.nextInt(valid.size()));
        byte[] payload = mutate(EventSchemas.encode(source.record()), random);
        String schemaId =
            random.nextInt(50) == 0
                ? "fuzz" + random.nextInt(1000)
                : EventSchemas.standard().schemaId(source.topic());
        server.publishRaw(source.topic(), "fuzz-" + i, schemaId, payload);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (engine.processed() < PAYLOADS && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      long handled = engine.stats().totalProcessed() + engine.stats().totalDeadLettered();
      long lettered = Files.readAllLines(dir.resolve("dead-letters.jsonl")).size();
      System.out.printf(
          "fuzz: %d payloads, %d processed, %d dead-lettered, 0 crashes%n",
          PAYLOADS, engine.stats().totalProcessed(), engine.stats().totalDeadLettered());
      assertEquals(PAYLOADS, engine.processed(), "every payload confirmed by its subscription");
      assertEquals(PAYLOADS, handled, "every payload processed or dead-lettered");
      assertEquals(engine.stats().totalDeadLettered(), lettered, "each dead letter is in the file");
      assertTrue(
          engine.stats().totalDeadLettered() > PAYLOADS / 10,
          "the mutations really broke payloads");
    }
  }

  private static byte[] mutate(byte[] payload, Random random) {
    byte[] out = payload.clone();
    switch (random.nextInt(7)) {
      case 0 ->
          out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8)); // one flipped bit
      case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length)); // truncated
      case 2 -> random.nextBytes(out); // garbage of the right size
      case 3 -> { // an absurd varint length prefix somewhere
        int at = random.nextInt(Math.max(1, out.length - 5));
        byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        System.arraycopy(huge, 0, out, at, Math.min(huge.length, out.length - at));
      }
      case 4 -> { // trailing bytes
        out = Arrays.copyOf(out, out.length + 1 + random.nextInt(16));
      }
      case 5 ->
          out =
              random.nextInt(20) == 0
                  ? new byte[1024 * 1024 + 1]
                  : Arrays.copyOf(out, 0); // oversized, or empty
      default -> {
        for (int i = 0; i < 1 + random.nextInt(8); i++) {
          out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
      }
    }
    return out;
  }
}
