package io.leakwatch.sim.server;

import com.google.protobuf.ByteString;
import com.salesforce.eventbus.protobuf.ConsumerEvent;
import com.salesforce.eventbus.protobuf.ProducerEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The retained events of one topic, in replay order. Replay ids are 8-byte big-endian numbers that
 * grow but skip values, as Salesforce's do, so clients cannot get away with arithmetic on them.
 */
public final class TopicLog {
  private final String topic;
  private final String schemaId;
  private final boolean publishable;
  private final List<ConsumerEvent> events = new ArrayList<>();
  private final List<Long> replayIds = new ArrayList<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private long nextReplayId;
  private int purged;
  // The oldest replay id still inside the retention window.
  private long retainedFrom;

  public TopicLog(String topic, String schemaId, boolean publishable, long firstReplayId) {
    this.topic = topic;
    this.schemaId = schemaId;
    this.publishable = publishable;
    this.nextReplayId = firstReplayId;
    this.retainedFrom = firstReplayId;
  }

  public String topic() {
    return topic;
  }

  public String schemaId() {
    return schemaId;
  }

  public boolean publishable() {
    return publishable;
  }

  /** Appends an event and returns its replay id. */
  public ByteString append(ProducerEvent event) {
    ByteString replayId;
    synchronized (this) {
      long id = takeId();
      replayId = encode(id);
      events.add(ConsumerEvent.newBuilder().setEvent(event).setReplayId(replayId).build());
      replayIds.add(id);
    }
    listeners.forEach(Runnable::run);
    return replayId;
  }

  /** The next replay id, skipping values as Salesforce's do. Called holding this log's lock. */
  private long takeId() {
    long id = nextReplayId;
    nextReplayId += 1 + (id % 3);
    return id;
  }

  public static ByteString encode(long replayId) {
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(replayId).array());
  }

  /** Index of the first retained event (events before it were purged). */
  public synchronized int firstIndex() {
    return purged;
  }

  /** Index one past the newest event. */
  public synchronized int endIndex() {
    return events.size();
  }

  public synchronized ConsumerEvent at(int index) {
    return events.get(index);
  }

  /**
   * The replay id a keepalive carries: the bus's position now. Salesforce's event bus carries many
   * orgs' streams, so this jumps ahead of the topic's newest event, and a quiet topic has one too;
   * the events appended later get higher ids. A client that saves it resumes after it.
   *
   * @param sent how many events the stream has sent: none is due when an event was appended since
   *     (null is returned), or the id would be past an event the client never got
   */
  public synchronized ByteString keepAliveReplayId(int sent) {
    if (sent < events.size()) {
      return null;
    }
    return encode(takeId());
  }

  /**
   * The index of the first event after this replay id (an event's, or a keepalive's), or -1 when
   * the id was never given out for this topic or lies outside the retention window: before its
   * first retained event, or, once every event was purged, before the purge.
   */
  public synchronized int indexAfter(ByteString replayId) {
    if (replayId.size() != 8) {
      return -1;
    }
    long id = replayId.asReadOnlyByteBuffer().getLong();
    if (id < retainedFrom || id >= nextReplayId) {
      return -1;
    }
    int found = java.util.Collections.binarySearch(replayIds, id);
    int after = found >= 0 ? found + 1 : -found - 1;
    return Math.max(after, purged);
  }

  /**
   * Drops events older than index {@code upTo}: they leave the retention window, and so does every
   * replay id given out before the first event kept (all of them when none is kept).
   */
  public synchronized void purgeBefore(int upTo) {
    purged = Math.max(purged, Math.min(upTo, events.size()));
    retainedFrom =
        Math.max(retainedFrom, purged < replayIds.size() ? replayIds.get(purged) : nextReplayId);
  }

  public void onAppend(Runnable listener) {
    listeners.add(listener);
  }

  public void removeListener(Runnable listener) {
    listeners.remove(listener);
  }
}
