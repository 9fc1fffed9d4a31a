package io.leakwatch.pubsub;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The error codes Salesforce puts in the {@code error-code} trailer, and how to read them. */
public final class PubSubErrors {
  public static final Metadata.Key<String> ERROR_CODE =
      Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> RPC_ID =
      Metadata.Key.of("rpc-id", Metadata.ASCII_STRING_MARSHALLER);

  private static final String PREFIX = "sfdc.platform.eventbus.grpc.";
  public static final String REPLAY_ID_CORRUPTED = PREFIX + "subscription.fetch.replayid.corrupted";
  public static final String REPLAY_ID_VALIDATION_FAILED =
      PREFIX + "subscription.fetch.replayid.validation.failed";
  public static final String REQUESTED_EVENTS_INVALID =
      PREFIX + "subscription.fetch.requested.events.invalid";
  public static final String SERVICE_UNAVAILABLE = PREFIX + "service.unavailable";
  public static final String AUTH_ERROR = PREFIX + "service.auth.error";

  /** Not confirmed against a live org; third-party clients use this spelling. */
  public static final String TOPIC_NOT_FOUND = PREFIX + "topic.notfound";

  public static final String SCHEMA_NOT_FOUND = PREFIX + "schema.notfound";

  private PubSubErrors() {}

  /** The Salesforce error code of a failed call, when the server sent one. */
  public static Optional<String> errorCode(Throwable failure) {
    Metadata trailers = null;
    if (failure instanceof StatusRuntimeException e) {
      trailers = e.getTrailers();
    } else if (failure instanceof StatusException e) {
      trailers = e.getTrailers();
    }
    return trailers == null ? Optional.empty() : Optional.ofNullable(trailers.get(ERROR_CODE));
  }

  public static Status.Code statusCode(Throwable failure) {
    return Status.fromThrowable(failure).getCode();
  }

  /**
   * A one-line description that is safe to log: status, Salesforce code and message (its first
   * line: gRPC appends the client's channel pipeline below it); for a transport failure, what the
   * network said ("Connection reset by peer"); for a failure that is not a gRPC status (a channel
   * that could not be opened), its own message.
   */
  public static String describe(Throwable failure) {
    Status status = Status.fromThrowable(failure);
    if (status.getCode() == Status.Code.UNKNOWN && status.getDescription() == null) {
      return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }
    String description = firstLine(status.getDescription());
    String transport = status.getCode() == Status.Code.UNAVAILABLE ? transportCause(failure) : null;
    return status.getCode()
        + errorCode(failure).map(c -> " [" + c + "]").orElse("")
        + (description == null ? "" : ": " + description)
        + (transport == null || (description != null && description.contains(transport))
            ? ""
            : " (" + transport + ")");
  }

  /**
   * The network's own words at the root of a failure ("Connection reset by peer", "Connection
   * refused"), without the native call that saw them; null when there is no such cause.
   */
  static String transportCause(Throwable failure) {
    List<Throwable> chain = causes(failure);
    Throwable root = chain.get(chain.size() - 1);
    if (!(root instanceof java.io.IOException) || root.getMessage() == null) {
      return null;
    }
    String message = firstLine(root.getMessage());
    // Netty's native transport: "recvAddress(..) failed with error(-104): Connection reset by peer"
    int nativeCall = message.indexOf("failed with error(");
    int words = nativeCall < 0 ? -1 : message.indexOf("): ", nativeCall);
    return words < 0 ? message : message.substring(words + 3);
  }

  /**
   * {@code failure} and its causes, outermost first; at most 20, so a chain that loops back on
   * itself still ends.
   */
  static List<Throwable> causes(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && chain.size() < 20; t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return null;
    }
    int end = text.indexOf('\n');
    return (end < 0 ? text : text.substring(0, end)).strip();
  }
}
