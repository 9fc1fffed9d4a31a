package io.leakwatch.sim.server;

import com.salesforce.eventbus.protobuf.Error;
import com.salesforce.eventbus.protobuf.ErrorCode;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.ManagedFetchRequest;
import com.salesforce.eventbus.protobuf.ManagedFetchResponse;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.PublishRequest;
import com.salesforce.eventbus.protobuf.PublishResponse;
import com.salesforce.eventbus.protobuf.PublishResult;
import com.salesforce.eventbus.protobuf.SchemaInfo;
import com.salesforce.eventbus.protobuf.SchemaRequest;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.leakwatch.pubsub.PubSubErrors;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.avro.Schema;

/** The PubSub service of the simulated org: topics, schemas, Subscribe, Publish. */
final class PubSubService extends PubSubGrpc.PubSubImplBase {
  private final String tenantId;
  private final Map<String, TopicLog> topics;
  private final Map<String, Schema> schemas;
  private final ScheduledExecutorService timer;
  private final Duration keepAlive;
  private final Duration idleClose;
  private final SubscribeStats stats = new SubscribeStats();
  private final Set<SubscribeCall> open = ConcurrentHashMap.newKeySet();
  private volatile boolean stalled;
  private final java.util.concurrent.atomic.AtomicInteger schemaFailures =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong schemaRequests =
      new java.util.concurrent.atomic.AtomicLong();

  PubSubService(
      String tenantId,
      Map<String, TopicLog> topics,
      Map<String, Schema> schemas,
      ScheduledExecutorService timer,
      Duration keepAlive,
      Duration idleClose) {
    this.tenantId = tenantId;
    this.topics = topics;
    this.schemas = schemas;
    this.timer = timer;
    this.keepAlive = keepAlive;
    this.idleClose = idleClose;
  }

  SubscribeStats stats() {
    return stats;
  }

  Set<SubscribeCall> openStreams() {
    return open;
  }

  /** A stalled server keeps streams open but sends nothing: no events, no keepalives. */
  void stall(boolean stall) {
    stalled = stall;
    if (!stall) {
      open.forEach(SubscribeCall::drain);
    }
  }

  /**
   * The next {@code count} GetSchema calls fail as Salesforce's do when the service is down:
   * INTERNAL (13) with the {@code service.unavailable} code and "The service is unavailable. Try
   * again later" (seen so by a third-party client during an outage; not UNAVAILABLE).
   */
  void failSchemaRequests(int count) {
    schemaFailure = SERVICE_DOWN;
    schemaFailures.set(count);
  }

  /**
   * The next {@code count} GetSchema calls time out (DEADLINE_EXCEEDED, no Salesforce code): what
   * one schema that cannot be served looks like, while the service answers otherwise.
   */
  void timeOutSchemaRequests(int count) {
    schemaFailure =
        () -> Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded").asRuntimeException();
    schemaFailures.set(count);
  }

  private static final java.util.function.Supplier<io.grpc.StatusRuntimeException> SERVICE_DOWN =
      () ->
          RpcErrors.error(
              Status.INTERNAL,
              PubSubErrors.SERVICE_UNAVAILABLE,
              "The service is unavailable. Try again later.");

  private volatile java.util.function.Supplier<io.grpc.StatusRuntimeException> schemaFailure =
      SERVICE_DOWN;

  /** GetSchema calls received so far, answered or failed. */
  long schemaRequests() {
    return schemaRequests.get();
  }

  private static io.grpc.StatusRuntimeException topicNotFound(String topic) {
    return RpcErrors.error(
        Status.INVALID_ARGUMENT,
        PubSubErrors.TOPIC_NOT_FOUND,
        "Topic " + topic + " does not exist or you lack access.");
  }

  @Override
  public void getTopic(TopicRequest request, StreamObserver<TopicInfo> response) {
    TopicLog log = topics.get(request.getTopicName());
    if (log == null) {
      response.onError(topicNotFound(request.getTopicName()));
      return;
    }
    response.onNext(
        TopicInfo.newBuilder()
            .setTopicName(log.topic())
            .setTenantGuid(tenantId)
            .setCanPublish(log.publishable())
            .setCanSubscribe(true)
            .setSchemaId(log.schemaId())
            .setRpcId(UUID.randomUUID().toString())
            .build());
    response.onCompleted();
  }

  @Override
  public void getSchema(SchemaRequest request, StreamObserver<SchemaInfo> response) {
    schemaRequests.incrementAndGet();
    if (schemaFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      response.onError(schemaFailure.get());
      return;
    }
    Schema schema = schemas.get(request.getSchemaId());
    if (schema == null) {
      response.onError(
          RpcErrors.error(
              Status.NOT_FOUND,
              PubSubErrors.SCHEMA_NOT_FOUND,
              "Schema " + request.getSchemaId() + " was not found."));
      return;
    }
    response.onNext(
        SchemaInfo.newBuilder()
            .setSchemaId(request.getSchemaId())
            .setSchemaJson(schema.toString())
            .setRpcId(UUID.randomUUID().toString())
            .build());
    response.onCompleted();
  }

  @Override
  public StreamObserver<FetchRequest> subscribe(StreamObserver<FetchResponse> response) {
    ServerCallStreamObserver<FetchResponse> out =
        (ServerCallStreamObserver<FetchResponse>) response;
    SubscribeCall call =
        new SubscribeCall(topics, out, timer, keepAlive, idleClose, stats, () -> stalled);
    open.add(call);
    out.setOnCloseHandler(() -> open.remove(call));
    return call;
  }

  @Override
  public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
    TopicLog log = topics.get(request.getTopicName());
    if (log == null) {
      response.onError(topicNotFound(request.getTopicName()));
      return;
    }
    response.onNext(publishTo(log, request));
    response.onCompleted();
  }

  private PublishResponse publishTo(TopicLog log, PublishRequest request) {
    PublishResponse.Builder out =
        PublishResponse.newBuilder()
            .setSchemaId(log.schemaId())
            .setRpcId(UUID.randomUUID().toString());
    for (ProducerEvent event : request.getEventsList()) {
      PublishResult.Builder result = PublishResult.newBuilder().setCorrelationKey(event.getId());
      if (!log.publishable()) {
        result.setError(
            Error.newBuilder()
                .setCode(ErrorCode.PUBLISH)
                .setMsg("Topic " + log.topic() + " is read-only."));
      } else if (!event.getSchemaId().equals(log.schemaId())) {
        result.setError(
            Error.newBuilder()
                .setCode(ErrorCode.PUBLISH)
                .setMsg("Schema " + event.getSchemaId() + " is not this topic's schema."));
      } else {
        result.setReplayId(log.append(event));
      }
      out.addResults(result);
    }
    return out.build();
  }

  @Override
  public StreamObserver<PublishRequest> publishStream(StreamObserver<PublishResponse> response) {
    return new StreamObserver<>() {
      @Override
      public void onNext(PublishRequest request) {
        TopicLog log = topics.get(request.getTopicName());
        if (log == null) {
          response.onError(topicNotFound(request.getTopicName()));
          return;
        }
        response.onNext(publishTo(log, request));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        response.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<ManagedFetchRequest> managedSubscribe(
      StreamObserver<ManagedFetchResponse> response) {
    response.onError(
        Status.UNIMPLEMENTED
            .withDescription(
                "ManagedSubscribe (beta) is not emulated by the Leakwatch simulator; use Subscribe.")
            .asRuntimeException());
    return new StreamObserver<>() {
      @Override
      public void onNext(ManagedFetchRequest value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }
}
