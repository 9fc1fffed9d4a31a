package io.leakwatch.sim.traffic;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated day too large to hold as records (a 100,000-user org's day is about two million
 * events, over a GiB as Avro records): generated a block of people at a time, each event encoded to
 * its Avro payload at once and appended to a spool file per quarter hour of event time, then read
 * back one quarter hour at a time in event-time order. At most one block of records and one quarter
 * hour of payloads are in memory; the events and their order are those of {@link
 * TrafficGenerator#day} with the same events added.
 */
public final class SpooledDay implements AutoCloseable {
  /** People generated per block: a few tens of MiB of records. */
  public static final int PEOPLE_PER_BLOCK = 2_000;

  private static final long SLICE_MILLIS = 15 * 60_000L;

  /** One event as the Pub/Sub API would carry it: topic, ids, writer schema id and payload. */
  public record Event(
      String topic, long eventDate, String eventIdentifier, String schemaId, byte[] payload) {}

  /** Receives one slice of the day, in event-time order. */
  public interface SliceConsumer {
    void accept(List<Event> slice) throws Exception;
  }

  private final Path dir;
  private final EventSchemas schemas;
  private final Map<Long, DataOutputStream> writers = new TreeMap<>();
  private long size;
  private boolean sealed;

  private SpooledDay(Path dir, EventSchemas schemas) {
    this.dir = dir;
    this.schemas = schemas;
  }

  /** An empty spool in {@code dir} (created if missing; its files are deleted on close). */
  public static SpooledDay in(Path dir, EventSchemas schemas) throws IOException {
    Files.createDirectories(dir);
    return new SpooledDay(dir, schemas);
  }

  /** Spools the background traffic of {@code date}, {@link #PEOPLE_PER_BLOCK} people at a time. */
  public void addBackground(TrafficGenerator generator, int people, LocalDate date)
      throws IOException {
    addBackground(generator, people, date, PEOPLE_PER_BLOCK);
  }

  void addBackground(TrafficGenerator generator, int people, LocalDate date, int block)
      throws IOException {
    for (int from = 0; from < people; from += block) {
      addAll(generator.people(date, from, Math.min(people, from + block)));
    }
    addAll(generator.integrations(date));
  }

  public void addAll(List<SimEvent> events) throws IOException {
    for (SimEvent e : events) {
      add(e);
    }
  }

  public void add(SimEvent e) throws IOException {
    if (sealed) {
      throw new IllegalStateException("the day has been read; it takes no more events");
    }
    var published = schemas.asPublished(e); // ApiEvent's schema changes at noon
    byte[] payload = EventSchemas.encode(published);
    DataOutputStream out = writers.get(Math.floorDiv(e.eventDate(), SLICE_MILLIS));
    if (out == null) {
      long slice = Math.floorDiv(e.eventDate(), SLICE_MILLIS);
      out =
          new DataOutputStream(
              new BufferedOutputStream(Files.newOutputStream(file(slice)), 1 << 16));
      writers.put(slice, out);
    }
    out.writeUTF(e.topic());
    out.writeLong(e.eventDate());
    out.writeUTF(e.eventIdentifier());
    out.writeUTF(schemas.idOf(published.getSchema()));
    out.writeInt(payload.length);
    out.write(payload);
    size++;
  }

  /** Events spooled. */
  public long size() {
    return size;
  }

  /**
   * Hands over the day a quarter hour at a time, each slice sorted as {@link
   * TrafficGenerator#byTime} sorts; may be called again to replay the same day.
   */
  public void forEachSlice(SliceConsumer consumer) throws Exception {
    seal();
    for (Long slice : writers.keySet()) {
      consumer.accept(read(slice));
    }
  }

  private void seal() throws IOException {
    if (!sealed) {
      for (DataOutputStream out : writers.values()) {
        out.close();
      }
      sealed = true;
    }
  }

  private List<Event> read(long slice) throws IOException {
    List<Event> events = new ArrayList<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file(slice)), 1 << 16))) {
      while (true) {
        String topic;
        try {
          topic = in.readUTF();
        } catch (EOFException end) {
          break;
        }
        long eventDate = in.readLong();
        String id = in.readUTF();
        String schemaId = in.readUTF();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        events.add(new Event(topic.intern(), eventDate, id, schemaId.intern(), payload));
      }
    }
    events.sort(Comparator.comparingLong(Event::eventDate).thenComparing(Event::eventIdentifier));
    return events;
  }

  private Path file(long slice) {
    return dir.resolve("slice-" + slice + ".bin");
  }

  @Override
  public void close() {
    try {
      seal();
      for (Long slice : writers.keySet()) {
        Files.deleteIfExists(file(slice));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
