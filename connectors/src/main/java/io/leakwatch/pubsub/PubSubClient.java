package io.leakwatch.pubsub;

import com.salesforce.eventbus.protobuf.ProducerEvent;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.PublishRequest;
import com.salesforce.eventbus.protobuf.PublishResponse;
import com.salesforce.eventbus.protobuf.TopicInfo;
import com.salesforce.eventbus.protobuf.TopicRequest;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A connection to one Pub/Sub server for one org: the TLS channel, the auth headers, and the schema
 * cache shared by all of its subscriptions.
 */
public final class PubSubClient implements AutoCloseable {
  private final PinnedChannel channel;
  private final PubSubGrpc.PubSubStub asyncStub;
  private final PubSubGrpc.PubSubBlockingStub blockingStub;
  private final SchemaCache schemas;
  private final PayloadDecoder decoder;

  public PubSubClient(PubSubEndpoint endpoint, Supplier<PubSubCredentials> credentials) {
    this(new PinnedChannel(endpoint, endpoint::openChannel), credentials);
  }

  public PubSubClient(ManagedChannel channel, Supplier<PubSubCredentials> credentials) {
    this(new PinnedChannel(channel), credentials);
  }

  private PubSubClient(PinnedChannel channel, Supplier<PubSubCredentials> credentials) {
    this.channel = channel;
    Channel authenticated = ClientInterceptors.intercept(channel, new AuthHeaders(credentials));
    this.asyncStub = PubSubGrpc.newStub(authenticated);
    this.blockingStub = PubSubGrpc.newBlockingStub(authenticated);
    this.schemas = SchemaCache.overGrpc(blockingStub);
    this.decoder = new PayloadDecoder(schemas);
  }

  /** GetTopic: whether the topic exists and may be subscribed to, and its current schema id. */
  public TopicInfo topic(String topicName) {
    return blockingStub
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .getTopic(TopicRequest.newBuilder().setTopicName(topicName).build());
  }

  /**
   * Opens a Subscribe stream. Events go to {@code listener}; at most {@code maxBacklog} may be
   * delivered and not yet {@linkplain PubSubSubscriber#release released} at any time.
   */
  public PubSubSubscriber subscribe(
      String topicName, ReplayStart start, int maxBacklog, SubscriptionListener listener) {
    return subscribe(topicName, start, maxBacklog, 0, listener);
  }

  /**
   * Opens a Subscribe stream whose consumer still holds {@code held} events from an earlier stream
   * of the same topic: they count against {@code maxBacklog} until released on this one.
   */
  public PubSubSubscriber subscribe(
      String topicName,
      ReplayStart start,
      int maxBacklog,
      int held,
      SubscriptionListener listener) {
    PubSubSubscriber subscriber =
        new PubSubSubscriber(asyncStub, decoder, topicName, maxBacklog, listener);
    subscriber.start(start, held);
    return subscriber;
  }

  /**
   * Before a reconnect attempt: reopens the channel if the pinned certificate file changed, else
   * makes a channel that failed to connect try again at its next call instead of waiting out its
   * own backoff (which grows to two minutes): the caller has a retry schedule of its own.
   */
  public void resetConnectBackoff() {
    channel.refresh();
  }

  /**
   * A one-line description of a failed call that is safe to log; names a certificate that no longer
   * matches the pinned one as such.
   */
  public String describe(Throwable failure) {
    return channel.describe(failure);
  }

  /**
   * Publish: sends events to a topic in one request. The RPC succeeding does not mean each event
   * was accepted: every {@code PublishResult} carries either a replay id or its own error, matched
   * to the event by {@code correlation_key} (the event's id).
   */
  public PublishResponse publish(String topicName, List<ProducerEvent> events) {
    return blockingStub
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .publish(PublishRequest.newBuilder().setTopicName(topicName).addAllEvents(events).build());
  }

  public SchemaCache schemas() {
    return schemas;
  }

  public PubSubGrpc.PubSubBlockingStub blockingStub() {
    return blockingStub;
  }

  @Override
  public void close() {
    channel.close();
  }
}
