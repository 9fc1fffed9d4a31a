package io.leakwatch.sim.server;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.leakwatch.pubsub.PubSubErrors;
import java.util.UUID;

/**
 * Errors as Salesforce sends them: a gRPC status, the code in the error-code trailer, and the rpc
 * id.
 */
final class RpcErrors {
  private RpcErrors() {}

  static StatusRuntimeException error(Status status, String errorCode, String message) {
    String rpcId = UUID.randomUUID().toString();
    Metadata trailers = new Metadata();
    trailers.put(PubSubErrors.ERROR_CODE, errorCode);
    trailers.put(PubSubErrors.RPC_ID, rpcId);
    return status.withDescription(message + " rpcId: " + rpcId).asRuntimeException(trailers);
  }
}
