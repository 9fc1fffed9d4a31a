package io.leakwatch.pubsub;

import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

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

  private final Source source;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  public SchemaCache(Source source) {
    this.source = source;
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
    String json;
    try {
      json = source.schemaJson(schemaId);
    } catch (StatusRuntimeException e) {
      if (notFound(e)) {
        throw new UnknownSchemaException(schemaId, "GetSchema failed: " + PubSubErrors.describe(e));
      }
      throw new SchemaUnavailableException(schemaId, e);
    }
    Schema parsed;
    try {
      parsed = new Schema.Parser().parse(json);
    } catch (SchemaParseException e) {
      throw new UnknownSchemaException(
          schemaId, "server returned an unparseable schema: " + e.getMessage());
    }
    schemas.putIfAbsent(schemaId, parsed);
    return parsed;
  }

  /** Whether the server said the schema does not exist, rather than failing to answer. */
  private static boolean notFound(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.NOT_FOUND
        || code == Status.Code.INVALID_ARGUMENT
        || PubSubErrors.errorCode(e).filter(PubSubErrors.SCHEMA_NOT_FOUND::equals).isPresent();
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
