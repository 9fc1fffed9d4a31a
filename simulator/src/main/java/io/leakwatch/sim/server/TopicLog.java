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

  public TopicLog(String topic, String schemaId, boolean publishable, long firstReplayId) {
    this.topic = topic;
    this.schemaId = schemaId;
    this.publishable = publishable;
    this.nextReplayId = firstReplayId;
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
      long id = nextReplayId;
      nextReplayId += 1 + (id % 3);
      replayId = encode(id);
      events.add(ConsumerEvent.newBuilder().setEvent(event).setReplayId(replayId).build());
      replayIds.add(id);
    }
    listeners.forEach(Runnable::run);
    return replayId;
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

  /** The replay id of the newest event, or empty when there is none. */
  public synchronized ByteString latestReplayId() {
    return events.isEmpty() ? ByteString.EMPTY : events.get(events.size() - 1).getReplayId();
  }

  /**
   * The index just after the event with this replay id, or -1 when it is not a replay id of this
   * topic or its event has been purged (outside the retention window).
   */
  public synchronized int indexAfter(ByteString replayId) {
    if (replayId.size() != 8) {
      return -1;
    }
    long id = replayId.asReadOnlyByteBuffer().getLong();
    int found = java.util.Collections.binarySearch(replayIds, id);
    if (found < 0 || found < purged) {
      return -1;
    }
    return found + 1;
  }

  /** Drops events older than index {@code upTo}: they leave the retention window. */
  public synchronized void purgeBefore(int upTo) {
    purged = Math.max(purged, Math.min(upTo, events.size()));
  }

  public void onAppend(Runnable listener) {
    listeners.add(listener);
  }

  public void removeListener(Runnable listener) {
    listeners.remove(listener);
  }
}
