package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.sim.traffic.EventSchemas;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Which GetSchema failures leave events to be read again (the schema may well exist) and which put
 * them aside: the server saying the schema does not exist or may not be read, or a failure that
 * keeps recurring for one schema id.
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
}
