package io.leakwatch.pubsub;

import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * Writer schemas by schema id. A schema id is a fingerprint of the schema, so an entry never goes
 * stale: a changed schema arrives under a new id and is fetched once.
 */
public final class SchemaCache {
  /** Fetches the JSON of a schema by id; the production source is the GetSchema RPC. */
  @FunctionalInterface
  public interface Source {
    String schemaJson(String schemaId);
  }

  /**
   * GetSchema failures in a row, for one schema id, after which its events are put aside after all
   * (dead-lettered with the reason) instead of read again, for {@link #GIVE_UP_FOR}: a failure that
   * always recurs (a timeout on that one schema) must not hold its stream, and the checkpoint,
   * still for good. See {@link SchemaGiveUps}.
   */
  public static final int MAX_FAILURES_IN_A_ROW = 10;

  /**
   * How long a schema id stays given up on before GetSchema is asked again: a schema that could not
   * be fetched may well be fetchable again minutes later, and its events should be decoded again
   * then rather than dead-lettered for as long as the engine runs.
   */
  public static final Duration GIVE_UP_FOR = Duration.ofMinutes(5);

  /** Codes for which GetSchema may well answer if asked again. */
  private static final Set<Status.Code> TRANSIENT =
      EnumSet.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.ABORTED,
          Status.Code.UNAUTHENTICATED,
          Status.Code.INTERNAL,
          Status.Code.CANCELLED,
          Status.Code.UNKNOWN);

  private final Source source;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private final SchemaGiveUps giveUps;

  public SchemaCache(Source source) {
    this(source, Clock.systemUTC());
  }

  /** With the clock that times how long a schema id stays given up on (tests move it on). */
  public SchemaCache(Source source, Clock clock) {
    this.source = source;
    this.giveUps = new SchemaGiveUps(MAX_FAILURES_IN_A_ROW, GIVE_UP_FOR, clock);
  }

  public static SchemaCache overGrpc(PubSubGrpc.PubSubBlockingStub stub) {
    return new SchemaCache(
        id -> {
          SchemaInfo info =
              stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                  .getSchema(SchemaRequest.newBuilder().setSchemaId(id).build());
          return info.getSchemaJson();
        });
  }

  /** The schema for an id, fetching it on first use. */
  public Schema get(String schemaId) throws UnknownSchemaException {
    Schema cached = schemas.get(schemaId);
    if (cached != null) {
      return cached;
    }
    if (schemaId == null || schemaId.isEmpty()) {
      throw new UnknownSchemaException(schemaId, "event carries no schema id");
    }
    SchemaGiveUps.GiveUp givenUp = giveUps.inForce(schemaId);
    if (givenUp != null) {
      // Not asked again while given up on: each event would wait on GetSchema again (up to its
      // 30 s deadline when it times out), which holds the topic nearly as badly as the loop did.
      throw new UnknownSchemaException(schemaId, givenUp.reason());
    }
    String json;
    try {
      json = source.schemaJson(schemaId);
    } catch (StatusRuntimeException e) {
      if (serviceDown(e)) {
        // The whole service, not this schema: every event waits on the bus (it keeps them for
        // 72 h) and is read again once it is back. Giving up would dead-letter every event of a
        // busy topic for the length of the outage, and nothing replays dead letters.
        throw new SchemaUnavailableException(schemaId, e);
      }
      if (!transientFailure(e)) {
        throw new UnknownSchemaException(schemaId, "GetSchema failed: " + PubSubErrors.describe(e));
      }
      SchemaGiveUps.GiveUp giveUp = giveUps.failed(schemaId, PubSubErrors.describe(e));
      if (giveUp != null) {
        throw new UnknownSchemaException(schemaId, giveUp.reason());
      }
      throw new SchemaUnavailableException(schemaId, e);
    }
    giveUps.answered(schemaId);
    Schema parsed;
    try {
      parsed = new Schema.Parser().parse(json);
    } catch (AvroRuntimeException e) {
      // SchemaParseException, or AvroTypeException for a default that does not fit its field.
      throw new UnknownSchemaException(
          schemaId, "server returned an unparseable schema: " + e.getMessage());
    }
    schemas.putIfAbsent(schemaId, parsed);
    return parsed;
  }

  /**
   * Whether the failure says the service is down (Salesforce's "service unavailable, try again
   * later" code, or no connection at all) rather than that this one schema keeps failing.
   */
  private static boolean serviceDown(StatusRuntimeException e) {
    return PubSubErrors.errorCode(e).filter(PubSubErrors.SERVICE_UNAVAILABLE::equals).isPresent()
        || e.getStatus().getCode() == Status.Code.UNAVAILABLE;
  }

  /**
   * Whether GetSchema failed to answer, rather than saying the schema does not exist or may not be
   * read (not found, invalid, permission denied, unimplemented: asking again changes nothing). A
   * service that is down is told apart first ({@link #serviceDown}): Salesforce's "try again later"
   * code says so whatever the status it comes with (it was seen as INTERNAL, an observation, not a
   * promise).
   */
  private static boolean transientFailure(StatusRuntimeException e) {
    return TRANSIENT.contains(e.getStatus().getCode())
        && PubSubErrors.errorCode(e).filter(PubSubErrors.SCHEMA_NOT_FOUND::equals).isEmpty();
  }

  public int size() {
    return schemas.size();
  }

  /** A schema id that could not be resolved to a usable writer schema. */
  public static class UnknownSchemaException extends Exception {
    public UnknownSchemaException(String schemaId, String reason) {
      super("schema " + schemaId + ": " + reason);
    }

    UnknownSchemaException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * GetSchema did not answer (unavailable, timed out, refused for now): the schema may well exist,
   * and the events that need it are sound. They must be read again once it answers, not put aside
   * as undecodable.
   */
  public static final class SchemaUnavailableException extends UnknownSchemaException {
    SchemaUnavailableException(String schemaId, StatusRuntimeException cause) {
      super(
          "schema "
              + schemaId
              + " could not be fetched (GetSchema: "
              + PubSubErrors.describe(cause)
              + ")",
          cause);
    }
  }
}
