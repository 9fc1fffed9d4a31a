package io.leakwatch.pubsub;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.UUID;
import java.util.function.Supplier;

/** Adds the Pub/Sub auth headers and a fresh trace id to every call. */
public final class AuthHeaders implements ClientInterceptor {
  public static final Metadata.Key<String> ACCESS_TOKEN = key("accesstoken");
  public static final Metadata.Key<String> INSTANCE_URL = key("instanceurl");
  public static final Metadata.Key<String> TENANT_ID = key("tenantid");
  public static final Metadata.Key<String> TRACE_ID = key("x-client-trace-id");

  private final Supplier<PubSubCredentials> credentials;

  /**
   * Takes a supplier so a refreshed token is used by the next call without rebuilding the channel.
   */
  public AuthHeaders(Supplier<PubSubCredentials> credentials) {
    this.credentials = credentials;
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        PubSubCredentials current = credentials.get();
        headers.put(ACCESS_TOKEN, current.accessToken());
        headers.put(INSTANCE_URL, current.instanceUrl());
        headers.put(TENANT_ID, current.tenantId());
        headers.put(TRACE_ID, UUID.randomUUID().toString());
        super.start(listener, headers);
      }
    };
  }
}
