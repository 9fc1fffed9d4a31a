package io.leakwatch.pubsub;

import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.FetchRequest;
import com.salesforce.eventbus.protobuf.FetchResponse;
import com.salesforce.eventbus.protobuf.PubSubGrpc;
import com.salesforce.eventbus.protobuf.ReplayPreset;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * One Subscribe stream on one topic, with pull-based flow control.
 *
 * <p>Credit is the number of events asked of the server and not yet received ("outstanding"). It
 * never exceeds {@value #MAX_OUTSTANDING} (the server's cap), is topped up when it falls to half so
 * the stream never idles at zero, and is only granted while the consumer's backlog of delivered but
 * unreleased events leaves room. A slow consumer therefore slows the stream instead of filling
 * memory.
 */
public final class PubSubSubscriber implements AutoCloseable {
  public static final int MAX_OUTSTANDING = 100;
  private static final int TOP_UP_AT = MAX_OUTSTANDING / 2;
  private static final int MIN_TOP_UP = 10;

  private final PubSubGrpc.PubSubStub stub;
  private final PayloadDecoder decoder;
  private final String topic;
  private final int maxBacklog;
  private final SubscriptionListener listener;

  private ClientCallStreamObserver<FetchRequest> requests;
  private ReplayStart start;
  private int outstanding;
  private int backlog;
  private long received;
  private int largestOutstanding;
  private boolean closed;

  /** This side cancelled the call (a schema could not be fetched); onError is on its way. */
  private boolean cancelled;

  private volatile ReplayId lastReceived;
  private volatile long lastResponseNanos = System.nanoTime();

  PubSubSubscriber(
      PubSubGrpc.PubSubStub stub,
      PayloadDecoder decoder,
      String topic,
      int maxBacklog,
      SubscriptionListener listener) {
    if (maxBacklog < MAX_OUTSTANDING) {
      throw new IllegalArgumentException(
          "maxBacklog must be at least " + MAX_OUTSTANDING + " but was " + maxBacklog);
    }
    this.stub = stub;
    this.decoder = decoder;
    this.topic = topic;
    this.maxBacklog = maxBacklog;
    this.listener = listener;
  }

  synchronized void start(ReplayStart start, int held) {
    backlog = Math.max(0, held);
    stub.subscribe(new ResponseObserver());
    this.start = start;
    topUp();
  }

  /**
   * The consumer has finished with {@code count} delivered events; their credit may be reused.
   *
   * @return whether this asked the server for events when none were outstanding: from now on the
   *     stream's silence means the server had nothing to send, where before it could send nothing
   */
  public synchronized boolean release(int count) {
    boolean starved = outstanding == 0;
    backlog = Math.max(0, backlog - count);
    topUp();
    return starved && outstanding > 0;
  }

  public String topic() {
    return topic;
  }

  /** The replay id of the newest event delivered to the listener, or null before the first. */
  public ReplayId lastReceived() {
    return lastReceived;
  }

  /** {@link System#nanoTime()} of the last response (events or keepalive), or of the start. */
  public long lastResponseNanos() {
    return lastResponseNanos;
  }

  /**
   * Whether events are asked of the server and not yet received: only then does its silence mean
   * something (no keepalive is owed to a stream without credit).
   */
  public synchronized boolean awaitingServer() {
    return !closed && !cancelled && outstanding > 0;
  }

  /** Closed by {@link #close()}, or ended by the server. */
  public synchronized boolean isClosed() {
    return closed;
  }

  public synchronized long received() {
    return received;
  }

  /**
   * The most credit ever outstanding at once on this stream; never above {@value #MAX_OUTSTANDING}.
   */
  public synchronized int largestOutstanding() {
    return largestOutstanding;
  }

  @Override
  public synchronized void close() {
    if (!closed && requests != null) {
      closed = true;
      requests.cancel("subscriber closed", null);
    }
    closed = true;
  }

  private int credit() {
    int room = Math.min(MAX_OUTSTANDING - outstanding, maxBacklog - backlog - outstanding);
    return Math.max(0, room);
  }

  private void grant(int credit) {
    if (outstanding == 0) {
      // Silence counts from when something is asked: a server owes nothing to a stream without
      // credit (no events, no keepalives).
      lastResponseNanos = System.nanoTime();
    }
    outstanding += credit;
    largestOutstanding = Math.max(largestOutstanding, outstanding);
  }

  private void topUp() {
    if (closed || cancelled || requests == null || outstanding > TOP_UP_AT) {
      return;
    }
    int credit = credit();
    if (credit == 0 || (credit < MIN_TOP_UP && outstanding > 0)) {
      return;
    }
    FetchRequest.Builder request =
        FetchRequest.newBuilder().setTopicName(topic).setNumRequested(credit);
    if (start != null) {
      // The first request names the start point. The server rejects one that asks for nothing, so
      // while the consumer still holds a full backlog (from an earlier stream) it waits for room.
      request.setReplayPreset(start.preset());
      if (start.preset() == ReplayPreset.CUSTOM) {
        request.setReplayId(start.after().toByteString());
      }
      start = null;
    }
    grant(credit);
    requests.onNext(request.build());
  }

  private final class ResponseObserver
      implements ClientResponseObserver<FetchRequest, FetchResponse> {
    @Override
    public void beforeStart(ClientCallStreamObserver<FetchRequest> requestStream) {
      requests = requestStream;
    }

    @Override
    public void onNext(FetchResponse response) {
      long now = System.nanoTime();
      lastResponseNanos = now;
      int count = response.getEventsCount();
      boolean owed;
      synchronized (PubSubSubscriber.this) {
        if (closed) {
          return;
        }
        // Asks for more before decoding these: the next batch is on its way meanwhile.
        outstanding = Math.max(0, outstanding - count);
        backlog += count;
        received += count;
        topUp();
        owed = outstanding > 0;
      }
      List<ReceivedEvent> events = new ArrayList<>(count);
      try {
        for (ConsumerEvent event : response.getEventsList()) {
          events.add(decode(event, now));
        }
      } catch (SchemaCache.SchemaUnavailableException e) {
        // The events are sound; the schema server did not answer, for now. Put aside as
        // undecodable they would be lost to detection: the stream ends instead (onError follows),
        // and its subscription reopens it from the last processed event, which reads them again.
        // This cannot loop for good: after MAX_FAILURES_IN_A_ROW such failures the schema id is
        // given up on for a while, and every event that needs it meanwhile (the rest of this batch
        // too) comes back undecoded with the reason, to be dead-lettered, not read again.
        synchronized (PubSubSubscriber.this) {
          // No more requests on a cancelled call (gRPC refuses them) while onError is on its way.
          cancelled = true;
        }
        requests.cancel(e.getMessage() + "; its events are read again when the stream reopens", e);
        return;
      }
      if (events.isEmpty()) {
        listener.onKeepAlive(topic, ReplayId.of(response.getLatestReplayId()));
      } else {
        lastReceived = events.get(events.size() - 1).replayId();
        listener.onEvents(topic, events, owed);
      }
    }

    private ReceivedEvent decode(ConsumerEvent event, long now)
        throws SchemaCache.SchemaUnavailableException {
      ReplayId replayId = ReplayId.of(event.getReplayId());
      String schemaId = event.getEvent().getSchemaId();
      String eventId = event.getEvent().getId();
      try {
        return new ReceivedEvent(
            topic,
            replayId,
            eventId,
            schemaId,
            decoder.decode(schemaId, event.getEvent().getPayload().toByteArray()),
            null,
            now);
      } catch (SchemaCache.SchemaUnavailableException e) {
        throw e;
      } catch (PayloadDecoder.MalformedPayloadException | SchemaCache.UnknownSchemaException e) {
        return new ReceivedEvent(topic, replayId, eventId, schemaId, null, e.getMessage(), now);
      } catch (RuntimeException e) {
        return new ReceivedEvent(
            topic, replayId, eventId, schemaId, null, "decoder failed: " + e, now);
      }
    }

    @Override
    public void onError(Throwable failure) {
      boolean wasClosed;
      synchronized (PubSubSubscriber.this) {
        wasClosed = closed;
        closed = true;
      }
      if (!wasClosed) {
        listener.onError(topic, failure);
      }
    }

    @Override
    public void onCompleted() {
      synchronized (PubSubSubscriber.this) {
        closed = true;
      }
      listener.onCompleted(topic);
    }
  }
}
