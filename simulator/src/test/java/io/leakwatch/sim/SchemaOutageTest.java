package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.pubsub.SchemaCache;
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
 * GetSchema failing just as a release changes a stream's schema. For a while (the service down,
 * which Salesforce says as INTERNAL with its {@code service.unavailable} code, as the simulator
 * does): the events that need the new schema are sound; the stream reconnects and reads them again
 * once GetSchema answers, not dead-lettered as undecodable, which would lose them to detection for
 * good, however long the service is down. A schema that keeps failing by itself (it times out while
 * the service answers) is given up on after {@link SchemaCache#MAX_FAILURES_IN_A_ROW} failures in a
 * row, and its events are dead-lettered, instead of the stream reopening on them for ever.
 */
class SchemaOutageTest {
  private static final int READS = 40;
  private static final int LATER = 10;
  // More than the give-up's count: a service-wide outage never gives a schema up.
  private static final int SCHEMA_FAILURES = SchemaCache.MAX_FAILURES_IN_A_ROW + 2;

  /** Fields of the reads that carry values a dead letter must never hold. */
  private static final List<String> PAYLOAD_FIELDS =
      List.of(
          "Username",
          "UserId",
          "SourceIp",
          "SessionKey",
          "LoginKey",
          "Query",
          "Records",
          "UserAgent");

  @TempDir Path dir;

  private final SimulatedOrg org = SimulatedOrg.generate(13, 100);

  /** The day's first {@code count} API reads. */
  private List<SimEvent> reads(int count) {
    List<SimEvent> reads =
        new TrafficGenerator(org)
            .day(LocalDate.of(2026, 3, 10)).stream()
                .filter(e -> e.topic().equals(EventSchemas.API))
                .limit(count)
                .toList();
    assertEquals(count, reads.size());
    return reads;
  }

  /** Publishes {@code reads} as ApiEvent v67 (the release's new schema id, {@code v67Id}). */
  private static void publishAsV67(PubSubServer server, String v67Id, List<SimEvent> reads) {
    Schema v67 = EventSchemas.standard().apiV67();
    for (SimEvent read : reads) {
      GenericRecord evolved = new GenericData.Record(v67);
      for (Schema.Field field : read.record().getSchema().getFields()) {
        evolved.put(field.name(), read.record().get(field.pos()));
      }
      server.publishRaw(read.topic(), read.eventIdentifier(), v67Id, EventSchemas.encode(evolved));
    }
  }

  @Test
  void eventsWhoseSchemaCannotBeFetchedForAWhileAreReadAgainNotDeadLettered() throws Exception {
    List<SimEvent> reads = reads(READS);
    Path deadLetters = dir.resolve("dead-letters.jsonl");
    try (PubSubServer server = TestSupport.serve(org, dir);
        LeakwatchEngine engine =
            LeakwatchEngine.start(
                TestSupport.engineOn(server, org, dir)
                    .topics(List.of(EventSchemas.API))
                    .deadLetters(DeadLetters.toFile(deadLetters))
                    .durability(TestSupport.quickReconnects())
                    .build())) {
      SubscriptionVerticle stream = engine.subscriptions().get(0);
      // The topic's schema was fetched at subscribe. A release changes it mid-stream (ApiEvent v67,
      // under a new schema id): its first events need GetSchema, which fails for a while (INTERNAL,
      // service.unavailable).
      String v67Id = server.registerSchema(EventSchemas.standard().apiV67());
      server.failSchemaRequests(SCHEMA_FAILURES);
      publishAsV67(server, v67Id, reads);
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

  @Test
  void eventsWhoseSchemaGetSchemaKeepsFailingOnAreDeadLetteredOnceGivenUpNotReadAgainForEver()
      throws Exception {
    List<SimEvent> reads = reads(READS + LATER);
    Path deadLetters = dir.resolve("dead-letters.jsonl");
    try (PubSubServer server = TestSupport.serve(org, dir);
        LeakwatchEngine engine =
            LeakwatchEngine.start(
                TestSupport.engineOn(server, org, dir)
                    .topics(List.of(EventSchemas.API))
                    .deadLetters(DeadLetters.toFile(deadLetters))
                    // A short reconnect ceiling: the failures in a row before the give-up come
                    // half a second apart, not up to 30 s.
                    .durability(TestSupport.quickReconnects())
                    .build())) {
      SubscriptionVerticle stream = engine.subscriptions().get(0);
      String v67Id = server.registerSchema(EventSchemas.standard().apiV67());
      server.timeOutSchemaRequests(1_000_000);
      long askedBefore = server.schemaRequests();
      publishAsV67(server, v67Id, reads.subList(0, READS));
      TestSupport.await(
          () -> stream.processed() == READS,
          "every read dead-lettered once GetSchema is given up on, not read again for ever");
      long reconnects = stream.reconnects();
      assertEquals(
          SchemaCache.MAX_FAILURES_IN_A_ROW,
          server.schemaRequests() - askedBefore,
          "GetSchema asked until given up on, then no more: not once per event");
      assertTrue(
          reconnects < SchemaCache.MAX_FAILURES_IN_A_ROW,
          "the stream reopened once per failure before the give-up, then no more: " + reconnects);

      // Later batches of the same schema id: the give-up holds, they are dead-lettered at once.
      publishAsV67(server, v67Id, reads.subList(READS, READS + LATER));
      TestSupport.await(
          () -> stream.processed() == READS + LATER, "the later reads dead-lettered too");
      assertEquals(
          SchemaCache.MAX_FAILURES_IN_A_ROW,
          server.schemaRequests() - askedBefore,
          "GetSchema not asked again for the later batch");
      assertEquals(reconnects, stream.reconnects(), "no reconnect for the later batch");

      assertEquals(
          READS + LATER,
          engine.stats().deadLetteredByTopic().getOrDefault(EventSchemas.API, 0L),
          "every read dead-lettered, none skipped");
      assertEquals(0L, engine.stats().processedByTopic().getOrDefault(EventSchemas.API, 0L));
      List<String> letters = Files.readAllLines(deadLetters);
      assertEquals(READS + LATER, letters.size(), "one dead letter per read");
      for (int i = 0; i < letters.size(); i++) {
        String letter = letters.get(i);
        assertTrue(letter.contains("\"eventId\":\"" + reads.get(i).eventIdentifier()), letter);
        assertTrue(letter.contains("\"schemaId\":\"" + v67Id + "\""), letter);
        assertTrue(letter.contains("schema " + v67Id + ": GetSchema failed"), letter);
      }
      String all = String.join("\n", letters);
      for (SimEvent read : reads) {
        for (String field : PAYLOAD_FIELDS) {
          Object value = read.record().get(field);
          if (value != null && value.toString().length() > 3) {
            assertFalse(all.contains(value.toString()), field + " in a dead letter");
          }
        }
      }
    }
  }
}
