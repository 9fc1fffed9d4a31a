package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetSchema failing for a while (the service degraded, a connection reset) just as a release
 * changes a stream's schema: the events that need the new schema are sound and must be read again
 * once it answers, not dead-lettered as undecodable, which would lose them to detection for good.
 */
class SchemaOutageTest {
  private static final int READS = 40;
  private static final int SCHEMA_FAILURES = 2;

  @TempDir Path dir;

  @Test
  void eventsWhoseSchemaCannotBeFetchedForAWhileAreReadAgainNotDeadLettered() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(13, 100);
    List<SimEvent> reads =
        new TrafficGenerator(org)
            .day(LocalDate.of(2026, 3, 10)).stream()
                .filter(e -> e.topic().equals(EventSchemas.API))
                .limit(READS)
                .toList();
    assertEquals(READS, reads.size());
    Path deadLetters = dir.resolve("dead-letters.jsonl");
    try (PubSubServer server = TestSupport.serve(org, dir);
        LeakwatchEngine engine =
            LeakwatchEngine.start(
                TestSupport.engineOn(server, org, dir)
                    .topics(List.of(EventSchemas.API))
                    .deadLetters(DeadLetters.toFile(deadLetters))
                    .build())) {
      SubscriptionVerticle stream = engine.subscriptions().get(0);
      // The topic's schema was fetched at subscribe. A release changes it mid-stream (ApiEvent v67,
      // under a new schema id): its first events need GetSchema, which fails for a while.
      Schema v67 = EventSchemas.standard().apiV67();
      String v67Id = server.registerSchema(v67);
      server.failSchemaRequests(SCHEMA_FAILURES);
      for (SimEvent read : reads) {
        GenericRecord evolved = new GenericData.Record(v67);
        for (Schema.Field field : read.record().getSchema().getFields()) {
          evolved.put(field.name(), read.record().get(field.pos()));
        }
        server.publishRaw(
            read.topic(), read.eventIdentifier(), v67Id, EventSchemas.encode(evolved));
      }
      TestSupport.await(
          () ->
              engine.stats().processedByTopic().getOrDefault(EventSchemas.API, 0L)
                      + engine.stats().deadLetteredByTopic().getOrDefault(EventSchemas.API, 0L)
                  == READS,
          "every read handled once GetSchema answers");
      TestSupport.await(() -> stream.processed() == READS, "the reads' batches confirmed");

      assertEquals(
          0L,
          engine.stats().deadLetteredByTopic().getOrDefault(EventSchemas.API, 0L),
          "reads dead-lettered while GetSchema failed");
      assertFalse(
          Files.exists(deadLetters) && !Files.readString(deadLetters).isEmpty(),
          "dead letters written");
      assertTrue(
          stream.reconnects() >= SCHEMA_FAILURES,
          "the stream was reopened after each failed GetSchema: " + stream.reconnects());
      assertEquals(READS, stream.processed());
    }
  }
}
