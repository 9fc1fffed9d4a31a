package io.leakwatch.pubsub;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Adds the Pub/Sub auth headers and a fresh trace id to every call.
 *
 * <p>A request-response call (GetTopic, Publish…) fetches the credentials on its caller's thread, a
 * worker that waits for the answer anyway: a credential source that throws fails the call with its
 * own exception. A stream (Subscribe) is opened from an event loop, where the subscription's
 * watchdog runs too, so its credentials are fetched off that thread, one fetch at a time shared by
 * every stream waiting for it: a source that hangs leaves the streams pending (the watchdog finds
 * them silent, cancels them and tries again) and holds one thread, not one per attempt; one that
 * throws fails the stream with {@code UNAUTHENTICATED}.
 */
public final class AuthHeaders implements ClientInterceptor {
  public static final Metadata.Key<String> ACCESS_TOKEN = key("accesstoken");
  public static final Metadata.Key<String> INSTANCE_URL = key("instanceurl");
  public static final Metadata.Key<String> TENANT_ID = key("tenantid");
  public static final Metadata.Key<String> TRACE_ID = key("x-client-trace-id");

  /** Daemon threads for credential fetches; idle ones end after a minute. */
  private static final Executor FETCHES =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "pubsub-credentials");
            thread.setDaemon(true);
            return thread;
          });

  private final Supplier<PubSubCredentials> credentials;
  private final Credentials callCredentials;

  /**
   * Takes a supplier so a refreshed token is used by the next call without rebuilding the channel.
   */
  public AuthHeaders(Supplier<PubSubCredentials> credentials) {
    this.credentials = credentials;
    this.callCredentials = new Credentials(credentials);
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    if (!method.getType().clientSendsOneMessage()) {
      return next.newCall(method, options.withCallCredentials(callCredentials));
    }
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        headers.merge(Credentials.headers(credentials.get()));
        super.start(listener, headers);
      }
    };
  }

  private static final class Credentials extends CallCredentials {
    private final Supplier<PubSubCredentials> credentials;
    private CompletableFuture<PubSubCredentials> fetching;

    Credentials(Supplier<PubSubCredentials> credentials) {
      this.credentials = credentials;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      fetch()
          .whenComplete(
              (current, failure) -> {
                if (failure != null) {
                  Throwable cause =
                      failure instanceof java.util.concurrent.CompletionException
                              && failure.getCause() != null
                          ? failure.getCause()
                          : failure;
                  applier.fail(
                      Status.UNAUTHENTICATED
                          .withDescription("no access token: " + cause)
                          .withCause(cause));
                  return;
                }
                applier.apply(headers(current));
              });
    }

    static Metadata headers(PubSubCredentials current) {
      Metadata headers = new Metadata();
      headers.put(ACCESS_TOKEN, current.accessToken());
      headers.put(INSTANCE_URL, current.instanceUrl());
      headers.put(TENANT_ID, current.tenantId());
      headers.put(TRACE_ID, UUID.randomUUID().toString());
      return headers;
    }

    /** The fetch under way, or a new one: a hung source holds one thread, not one per call. */
    private synchronized CompletableFuture<PubSubCredentials> fetch() {
      CompletableFuture<PubSubCredentials> fetch = fetching;
      if (fetch == null) {
        // Not gRPC's executor: a fetch shared by several calls must not depend on one call's life.
        CompletableFuture<PubSubCredentials> started =
            CompletableFuture.supplyAsync(credentials, FETCHES);
        fetching = started;
        started.whenComplete((c, e) -> done(started)); // clears it at once if already done
        fetch = started;
      }
      return fetch;
    }

    private synchronized void done(CompletableFuture<PubSubCredentials> fetch) {
      if (fetching == fetch) {
        fetching = null;
      }
    }
  }
}
