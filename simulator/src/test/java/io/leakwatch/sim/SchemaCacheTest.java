package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Status;
import io.leakwatch.pubsub.PubSubErrors;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.sim.traffic.EventSchemas;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Which GetSchema failures leave events to be read again (the schema may well exist) and which put
 * them aside: the server saying the schema does not exist or may not be read, or a failure that
 * keeps recurring for one schema id (given up on for a while, then asked again).
 */
class SchemaCacheTest {
  private static final String ID = "schema-1";
  private static final String JSON = EventSchemas.standard().schema(EventSchemas.API).toString();

  @Test
  void aServerThatDoesNotAnswerForNowLeavesTheEventsToBeReadAgain() throws Exception {
    for (Status status :
        new Status[] {Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.INTERNAL}) {
      SchemaCache cache =
          new SchemaCache(
              id -> {
                throw status.withDescription("down").asRuntimeException();
              });
      assertInstanceOf(
          SchemaCache.SchemaUnavailableException.class,
          assertThrows(SchemaCache.UnknownSchemaException.class, () -> cache.get(ID)),
          status.getCode().toString());
    }
  }

  @Test
  void salesforcesServiceUnavailableCodeLeavesTheEventsToBeReadAgainWhateverItsStatus()
      throws Exception {
    // Seen as INTERNAL (13) during an outage; the code, not the status, is what Salesforce names.
    for (Status status : new Status[] {Status.INTERNAL, Status.FAILED_PRECONDITION}) {
      Metadata trailers = new Metadata();
      trailers.put(PubSubErrors.ERROR_CODE, PubSubErrors.SERVICE_UNAVAILABLE);
      SchemaCache cache =
          new SchemaCache(
              id -> {
                throw status
                    .withDescription("The service is unavailable. Try again later.")
                    .asRuntimeException(trailers);
              });
      SchemaCache.UnknownSchemaException e =
          assertThrows(SchemaCache.UnknownSchemaException.class, () -> cache.get(ID));
      assertInstanceOf(
          SchemaCache.SchemaUnavailableException.class, e, status.getCode().toString());
      assertTrue(e.getMessage().contains(PubSubErrors.SERVICE_UNAVAILABLE), e.getMessage());
    }
  }

  @Test
  void aSchemaTheServerSaysIsNotThereOrMayNotBeReadIsPutAside() {
    for (Status status :
        new Status[] {Status.NOT_FOUND, Status.INVALID_ARGUMENT, Status.PERMISSION_DENIED}) {
      SchemaCache cache =
          new SchemaCache(
              id -> {
                throw status.withDescription("no").asRuntimeException();
              });
      SchemaCache.UnknownSchemaException e =
          assertThrows(SchemaCache.UnknownSchemaException.class, () -> cache.get(ID));
      assertFalse(e instanceof SchemaCache.SchemaUnavailableException, status.getCode().toString());
    }
  }

  @Test
  void aFailureThatKeepsRecurringIsPutAsideAfterTenInARowAndSuccessStartsTheCountOver()
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger failUntil = new AtomicInteger(SchemaCache.MAX_FAILURES_IN_A_ROW - 1);
    SchemaCache flaky =
        new SchemaCache(
            id -> {
              if (calls.incrementAndGet() <= failUntil.get()) {
                throw Status.DEADLINE_EXCEEDED.asRuntimeException();
              }
              return JSON;
            });
    for (int i = 1; i < SchemaCache.MAX_FAILURES_IN_A_ROW; i++) {
      assertThrows(SchemaCache.SchemaUnavailableException.class, () -> flaky.get(ID));
    }
    assertEquals("ApiEventStream", flaky.get(ID).getName(), "answered at last: cached");

    SchemaCache stuck =
        new SchemaCache(
            id -> {
              throw Status.DEADLINE_EXCEEDED.asRuntimeException();
            });
    for (int i = 1; i < SchemaCache.MAX_FAILURES_IN_A_ROW; i++) {
      assertThrows(SchemaCache.SchemaUnavailableException.class, () -> stuck.get(ID));
    }
    SchemaCache.UnknownSchemaException last =
        assertThrows(SchemaCache.UnknownSchemaException.class, () -> stuck.get(ID));
    assertFalse(last instanceof SchemaCache.SchemaUnavailableException);
    assertTrue(last.getMessage().contains("failed 10 times in a row"), last.getMessage());
  }

  @Test
  void aSchemaGivenUpOnIsNotAskedForAgainUntilThePauseIsOverThenOnce() throws Exception {
    MovableClock clock = new MovableClock(Instant.parse("2026-03-10T12:00:00Z"));
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean answers = new AtomicBoolean();
    SchemaCache cache =
        new SchemaCache(
            id -> {
              calls.incrementAndGet();
              if (!answers.get()) {
                throw Status.INTERNAL
                    .withDescription("The service is unavailable. Try again later.")
                    .asRuntimeException();
              }
              return JSON;
            },
            clock);
    for (int i = 1; i < SchemaCache.MAX_FAILURES_IN_A_ROW; i++) {
      assertThrows(SchemaCache.SchemaUnavailableException.class, () -> cache.get(ID));
    }
    // The failure that gives up, then the rest of its batch and the batches after it: every event
    // is put aside with the same reason (none read again, none skipped), and none asks again.
    for (int event = 0; event < 40; event++) {
      SchemaCache.UnknownSchemaException e =
          assertThrows(SchemaCache.UnknownSchemaException.class, () -> cache.get(ID));
      assertFalse(e instanceof SchemaCache.SchemaUnavailableException, "event " + event);
      assertTrue(
          e.getMessage().startsWith("schema " + ID + ": GetSchema failed 10 times in a row"),
          e.getMessage());
      assertTrue(e.getMessage().contains("until 2026-03-10T12:05:00Z"), e.getMessage());
    }
    assertEquals(SchemaCache.MAX_FAILURES_IN_A_ROW, calls.get(), "not asked while given up on");

    clock.move(SchemaCache.GIVE_UP_FOR);
    SchemaCache.UnknownSchemaException renewed =
        assertThrows(SchemaCache.UnknownSchemaException.class, () -> cache.get(ID));
    assertFalse(renewed instanceof SchemaCache.SchemaUnavailableException);
    assertTrue(renewed.getMessage().contains("until 2026-03-10T12:10:00Z"), renewed.getMessage());
    assertEquals(SchemaCache.MAX_FAILURES_IN_A_ROW + 1, calls.get(), "asked once after the pause");
    assertThrows(SchemaCache.UnknownSchemaException.class, () -> cache.get(ID));
    assertEquals(SchemaCache.MAX_FAILURES_IN_A_ROW + 1, calls.get());

    answers.set(true);
    clock.move(SchemaCache.GIVE_UP_FOR);
    assertEquals("ApiEventStream", cache.get(ID).getName(), "fetchable again: decoded again");
    assertEquals("ApiEventStream", cache.get(ID).getName());
    assertEquals(SchemaCache.MAX_FAILURES_IN_A_ROW + 2, calls.get(), "then cached");
  }

  @Test
  void aSchemaWhoseDefaultDoesNotFitItsFieldIsPutAsideNotThrown() {
    SchemaCache cache =
        new SchemaCache(
            id ->
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":"
                    + "[{\"name\":\"n\",\"type\":\"int\",\"default\":\"x\"}]}");
    SchemaCache.UnknownSchemaException e =
        assertThrows(SchemaCache.UnknownSchemaException.class, () -> cache.get(ID));
    assertTrue(e.getMessage().contains("unparseable schema"), e.getMessage());
  }

  /** A clock that moves only when told. */
  private static final class MovableClock extends Clock {
    private Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void move(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
