package io.leakwatch.sim.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.leakwatch.pubsub.AuthHeaders;
import io.leakwatch.pubsub.PubSubErrors;
import java.util.function.Predicate;

/**
 * Requires the Pub/Sub auth headers on every call, as Salesforce does, and asks {@code tokens}
 * whether the access token is acceptable. Tokens never appear in errors or logs.
 */
final class AuthCheck implements ServerInterceptor {
  private final Predicate<String> tokens;

  AuthCheck(Predicate<String> tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String token = headers.get(AuthHeaders.ACCESS_TOKEN);
    String problem = null;
    if (token == null || token.isBlank()) {
      problem = "missing accesstoken header";
    } else if (headers.get(AuthHeaders.INSTANCE_URL) == null) {
      problem = "missing instanceurl header";
    } else if (headers.get(AuthHeaders.TENANT_ID) == null) {
      problem = "missing tenantid header";
    } else if (!tokens.test(token)) {
      problem = "the access token is invalid or expired";
    }
    if (problem != null) {
      var error =
          RpcErrors.error(
              Status.UNAUTHENTICATED,
              PubSubErrors.AUTH_ERROR,
              "Authentication failed: " + problem + ".");
      call.close(error.getStatus(), error.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
