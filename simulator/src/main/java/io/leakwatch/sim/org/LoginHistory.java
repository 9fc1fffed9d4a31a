package io.leakwatch.sim.org;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.rest.LoginHistoryFields;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;

/**
 * The simulated org's {@code LoginHistory}: every login is written here, as Salesforce does, and
 * only the logins of people also go out on LoginEventStream. The stream "doesn't track login
 * activity for integration or internal users" (LoginEventStream docs), so an integration user's
 * login is found only here, by SOQL. A row's Id is the LoginHistoryId of the stream's event, as in
 * a real org. Thread-safe: playback writes while the REST server reads.
 */
public final class LoginHistory {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the REST API writes for a dateTime: milliseconds and an offset without a colon. */
  private static final DateTimeFormatter LOGIN_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);

  /** LoginHistory fields and the LoginEvent fields they come from (the same name unless listed). */
  private static final List<String> FIELDS = LoginHistoryFields.SHARED_WITH_LOGIN_EVENT;

  private final Set<String> historyOnlyUsers;
  private volatile long now;
  private final List<ObjectNode> rows = new ArrayList<>();

  /**
   * @param historyOnlyUsers users whose logins never reach the stream (the integration users)
   */
  public LoginHistory(Set<String> historyOnlyUsers) {
    this.historyOnlyUsers = Set.copyOf(historyOnlyUsers);
  }

  /** For {@code org}: its integrations' users log in only here. */
  public static LoginHistory of(SimulatedOrg org) {
    return new LoginHistory(
        org.integrations().stream()
            .map(i -> i.user().id())
            .collect(java.util.stream.Collectors.toSet()));
  }

  /**
   * Records {@code event} when it is a login; returns whether it stays off the stream (a login of
   * an integration user).
   */
  public boolean record(SimEvent event) {
    if (!event.topic().equals(EventSchemas.LOGIN)) {
      return false;
    }
    GenericRecord login = event.record();
    ObjectNode row = JSON.createObjectNode();
    row.putObject("attributes").put("type", "LoginHistory");
    row.put("Id", text(login, "LoginHistoryId"));
    row.put("LoginTime", LOGIN_TIME.format(Instant.ofEpochMilli(event.eventDate())));
    for (String field : FIELDS) {
      row.put(field, text(login, field));
    }
    row.put("AuthenticationServiceId", text(login, "AuthServiceId"));
    synchronized (rows) {
      rows.add(row);
    }
    return historyOnlyUsers.contains(text(login, "UserId"));
  }

  /** The org's clock moves on as its day plays: every login up to {@code time} is written. */
  public void advanceTo(long time) {
    if (time > now) {
      now = time;
    }
  }

  /** The org's clock (epoch millis), 0 before the day starts playing: wall time then applies. */
  public long now() {
    return now;
  }

  /** Adds a row as given (tests: late rows, malformed rows). */
  public void add(ObjectNode row) {
    synchronized (rows) {
      rows.add(row.deepCopy());
    }
  }

  /**
   * The rows with LoginTime at or after {@code from} (epoch millis), by LoginTime then Id, each
   * holding only {@code fields} (and {@code attributes}).
   */
  public List<ObjectNode> since(long from, List<String> fields) {
    return since(from, fields, null);
  }

  /**
   * As {@link #since(long, List)}, but only the logins of {@code onlyUser} when it is not null:
   * what a user without "Manage Users" or "Monitor Login History" is shown (its own logins).
   */
  public List<ObjectNode> since(long from, List<String> fields, String onlyUser) {
    List<ObjectNode> out = new ArrayList<>();
    synchronized (rows) {
      for (ObjectNode row : rows) {
        long time = time(row);
        if (time >= from
            && (onlyUser == null || onlyUser.equals(row.path("UserId").asText(null)))) {
          ObjectNode copy = JSON.createObjectNode();
          copy.set("attributes", row.path("attributes").deepCopy());
          for (String field : fields) {
            copy.set(field, row.has(field) ? row.get(field).deepCopy() : JSON.nullNode());
          }
          out.add(copy);
        }
      }
    }
    out.sort(
        Comparator.comparingLong(LoginHistory::time).thenComparing(r -> r.path("Id").asText("")));
    return out;
  }

  public int size() {
    synchronized (rows) {
      return rows.size();
    }
  }

  private static long time(ObjectNode row) {
    String text = row.path("LoginTime").asText("");
    try {
      return java.time.OffsetDateTime.parse(text, LOGIN_TIME.withZone(null))
          .toInstant()
          .toEpochMilli();
    } catch (RuntimeException e) {
      return Long.MAX_VALUE; // a malformed row: no time filter can exclude it
    }
  }

  private static String text(GenericRecord record, String field) {
    if (record.getSchema().getField(field) == null) {
      return null;
    }
    Object value = record.get(field);
    return value == null ? null : value.toString();
  }
}
