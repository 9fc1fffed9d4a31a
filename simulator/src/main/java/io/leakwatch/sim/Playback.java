package io.leakwatch.sim;

import io.leakwatch.sim.org.LoginHistory;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a timeline into the simulated org's Pub/Sub server at compressed time: the timeline's
 * span of event time is played over {@code wallMillis} of wall time, in event order. With a {@link
 * LoginHistory}, logins are written there as they happen, and integration users' logins only there.
 */
public final class Playback implements Runnable {
  private final PubSubServer server;
  private final List<SimEvent> events;
  private final long wallMillis;
  private final AtomicLong published = new AtomicLong();
  private final LoginHistory loginHistory;

  public Playback(PubSubServer server, List<SimEvent> events, long wallMillis) {
    this(server, events, wallMillis, null);
  }

  /**
   * @param loginHistory where every login is also written, as in a real org; the logins it keeps
   *     off the stream (integration users') are only there. Null: every login goes to the stream.
   */
  public Playback(
      PubSubServer server, List<SimEvent> events, long wallMillis, LoginHistory loginHistory) {
    this.server = server;
    this.events = events;
    this.wallMillis = wallMillis;
    this.loginHistory = loginHistory;
  }

  @Override
  public void run() {
    if (events.isEmpty()) {
      return;
    }
    long first = events.get(0).eventDate();
    long span = Math.max(1, events.get(events.size() - 1).eventDate() - first);
    long startNanos = System.nanoTime();
    for (SimEvent event : events) {
      long dueMillis =
          wallMillis <= 0 ? 0 : (long) ((double) (event.eventDate() - first) / span * wallMillis);
      long waitNanos = startNanos + dueMillis * 1_000_000 - System.nanoTime();
      if (waitNanos > 2_000_000) {
        try {
          Thread.sleep(waitNanos / 1_000_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (loginHistory == null || !loginHistory.record(event)) {
        publish(event);
      }
      if (loginHistory != null) {
        loginHistory.advanceTo(event.eventDate());
      }
      // A login only in LoginHistory is published too: to the org, for a query to find.
      published.incrementAndGet();
    }
  }

  /**
   * Under the schema id of the record's own schema: an evolved schema is served when first used.
   */
  private void publish(SimEvent event) {
    org.apache.avro.generic.GenericRecord record = EventSchemas.standard().asPublished(event);
    String schemaId = EventSchemas.standard().idOf(record.getSchema());
    byte[] payload = EventSchemas.encode(record);
    if (schemaId.equals(server.topic(event.topic()).schemaId())) {
      server.publish(event.topic(), event.eventIdentifier(), payload);
    } else {
      if (registered.add(schemaId)) {
        server.registerSchema(record.getSchema());
      }
      server.publishRaw(event.topic(), event.eventIdentifier(), schemaId, payload);
    }
  }

  private final java.util.Set<String> registered = new java.util.HashSet<>();

  public long published() {
    return published.get();
  }
}
