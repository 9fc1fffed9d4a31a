package io.leakwatch.loginpoll;

import io.leakwatch.cep.TopicTypes;
import io.leakwatch.checkpoint.SeenLogin;
import io.leakwatch.pubsub.ReceivedEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logins detection has taken lately, by LoginHistory id, and from which source: a person's
 * login reaches the engine twice, on LoginEventStream (field {@code LoginHistoryId}) and as a
 * LoginHistory row (its {@code Id}), and must be processed once. Whichever comes second is refused
 * and counted. The stream repeating its own login (replaying from its last committed position) is
 * let through: that is its at-least-once delivery, which the alert ledger already keeps single, and
 * a restart's replay must rebuild what the rules learned. The poll repeating a row it already
 * delivered is refused: that is a batch sent again after its confirmation timed out while the first
 * copy still waited in detection, and each copy would count in the rules' windows.
 *
 * <p>Bounded: entries older than what the poll can still read again are pruned, and at most {@link
 * #MAX_ENTRIES} are kept. Thread-safe: detection admits, the poll reads and saves.
 */
public final class RecentLogins {
  static final int MAX_ENTRIES = 200_000;
  static final String POLL = SeenLogin.POLL;
  static final String STREAM = SeenLogin.STREAM;
  private static final String LOGIN_STREAM = "/event/LoginEventStream";

  private final LinkedHashMap<String, SeenLogin> seen = new LinkedHashMap<>();
  private long duplicates;
  private long resent;

  /** Starts with what a previous run saved. */
  public RecentLogins(Map<String, SeenLogin> saved) {
    saved.forEach((id, s) -> seen.put(key(id), s));
  }

  public RecentLogins() {}

  /**
   * Whether detection should process {@code event}: false for a login the other source already
   * delivered. Events that are not logins always pass.
   */
  public boolean admit(ReceivedEvent event) {
    if (!event.decoded()) {
      return true;
    }
    String source;
    String id;
    if (event.topic().equals(TopicTypes.LOGIN_HISTORY)) {
      source = POLL;
      id = event.eventId();
    } else if (event.topic().equals(LOGIN_STREAM)
        && event.record().getSchema().getField("LoginHistoryId") != null) {
      source = STREAM;
      Object value = event.record().get("LoginHistoryId");
      id = value == null ? null : value.toString();
    } else {
      return true;
    }
    if (id == null || id.isEmpty()) {
      return true;
    }
    Object time = event.record().get("EventDate");
    return admit(id, time instanceof Long t ? t : 0L, source);
  }

  /**
   * A Salesforce id's case-sensitive 15 characters: the REST API writes the 18-character form (the
   * same id with a 3-character suffix), and nothing promises the stream's LoginHistoryId uses the
   * same one. Compared whole, one login in two forms would be processed twice.
   */
  static String key(String id) {
    return id.length() == 18 ? id.substring(0, 15) : id;
  }

  synchronized boolean admit(String loginId, long time, String source) {
    String id = key(loginId);
    SeenLogin before = seen.get(id);
    if (before == null) {
      seen.put(id, new SeenLogin(time, source));
      if (seen.size() > MAX_ENTRIES) {
        Iterator<String> oldest = seen.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      return true;
    }
    if (before.source().equals(STREAM) && source.equals(STREAM)) {
      return true;
    }
    if (source.equals(POLL) && before.source().equals(POLL)) {
      resent++;
      return false;
    }
    duplicates++;
    return false;
  }

  /** Records a row the poll took without detection admitting it (a dead-lettered row). */
  synchronized void admitted(String key, long time) {
    if (!seen.containsKey(key(key))) {
      admit(key, time, POLL);
    }
  }

  /** Whether a login with this id was taken already, by either source. */
  public synchronized boolean contains(String id) {
    return seen.containsKey(key(id));
  }

  /** Logins refused because the other source had delivered them. */
  public synchronized long duplicates() {
    return duplicates;
  }

  /**
   * Poll rows refused because the poll had delivered them already (a batch sent again after its
   * confirmation timed out). Not in {@link #duplicates}: the poll counted only the copy that was
   * confirmed, and the one processed was the first.
   */
  public synchronized long resent() {
    return resent;
  }

  /** Forgets logins before {@code time}; the poll never reads that far back again. */
  public synchronized void pruneBefore(long time) {
    pruneBefore(time, time);
  }

  /**
   * Forgets the stream's logins before {@code streamTime} (only the poll could deliver them again,
   * and it never reads that far back) and the poll's before {@code pollTime} (the stream may still
   * deliver them again: it replays from further back after a restart).
   */
  public synchronized void pruneBefore(long streamTime, long pollTime) {
    seen.values().removeIf(s -> s.time() < (s.source().equals(POLL) ? pollTime : streamTime));
  }

  /** The entries at or after {@code time}, oldest first, to save with the cursor. */
  public synchronized Map<String, SeenLogin> since(long time) {
    return since(time, time);
  }

  /** The entries {@link #pruneBefore(long, long)} with the same times keeps, oldest first. */
  public synchronized Map<String, SeenLogin> since(long streamTime, long pollTime) {
    Map<String, SeenLogin> out = new LinkedHashMap<>();
    seen.forEach(
        (id, s) -> {
          if (s.time() >= (s.source().equals(POLL) ? pollTime : streamTime)) {
            out.put(id, s);
          }
        });
    return out;
  }

  public synchronized int size() {
    return seen.size();
  }

  List<String> ids() {
    synchronized (this) {
      return new ArrayList<>(seen.keySet());
    }
  }
}
