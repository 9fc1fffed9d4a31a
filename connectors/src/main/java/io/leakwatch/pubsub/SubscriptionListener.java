package io.leakwatch.pubsub;

import java.util.List;

/**
 * Receives what a {@link PubSubSubscriber} gets. Called on gRPC threads, one call at a time per
 * subscription.
 */
public interface SubscriptionListener {
  /**
   * A batch of events, in replay order. The consumer must call {@link
   * PubSubSubscriber#release(int)} once it has processed them: that is what frees flow-control
   * credit for more.
   */
  void onEvents(String topic, List<ReceivedEvent> events);

  /**
   * A batch, and whether the server is owed events after it ({@code owed}: credit was outstanding
   * once this batch was counted and the credit topped up). While it is owed, the stream's silence
   * means the server has nothing to send; while it is not (the consumer's backlog is full), the
   * stream cannot deliver until the consumer releases events.
   */
  default void onEvents(String topic, List<ReceivedEvent> events, boolean owed) {
    onEvents(topic, events);
  }

  /** An empty response: the stream is alive and the server's newest replay id is {@code latest}. */
  default void onKeepAlive(String topic, ReplayId latest) {}

  /** The stream ended with an error. The subscriber does not reconnect by itself. */
  void onError(String topic, Throwable failure);

  /** The server closed the stream normally. */
  default void onCompleted(String topic) {}
}
