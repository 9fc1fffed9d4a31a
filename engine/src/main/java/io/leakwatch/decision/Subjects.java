package io.leakwatch.decision;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What an alert is about besides its actor (the principal): the users it impacted, the sessions and
 * the connected apps involved. Ids only, never values; correlation joins alerts that share any of
 * them, so a grant to an integration and that integration's read are one incident.
 *
 * <p>A rule names them with optional EPL columns: {@code subjects} (user ids), {@code sessions}
 * (SessionKey values) and {@code connectedApps} (ConnectedAppId values); each may be one value, a
 * comma list or an array such as {@code window(SessionKey)}. Anything that is not shaped like an id
 * is dropped, so no free text can ride along into an alert.
 */
public record Subjects(List<String> users, List<String> sessions, List<String> connectedApps) {
  public static final Subjects NONE = new Subjects(List.of(), List.of(), List.of());

  /** At most this many of each kind; an alert names examples, the count says how many. */
  static final int MAX_EACH = 20;

  private static final Pattern SALESFORCE_ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-9]{3})?");
  private static final Pattern SESSION_KEY = Pattern.compile("[A-Za-z0-9+/=_-]{8,128}");

  public Subjects {
    users = users == null ? List.of() : List.copyOf(users);
    sessions = sessions == null ? List.of() : List.copyOf(sessions);
    connectedApps = connectedApps == null ? List.of() : List.copyOf(connectedApps);
  }

  /** The subjects a detection's columns name. */
  public static Subjects of(Map<String, Object> attributes) {
    List<String> users = ids(attributes.get("subjects"), SALESFORCE_ID);
    List<String> sessions = ids(attributes.get("sessions"), SESSION_KEY);
    List<String> apps = ids(attributes.get("connectedApps"), SALESFORCE_ID);
    if (users.isEmpty() && sessions.isEmpty() && apps.isEmpty()) {
      return NONE;
    }
    return new Subjects(users, sessions, apps);
  }

  public boolean isEmpty() {
    return users.isEmpty() && sessions.isEmpty() && connectedApps.isEmpty();
  }

  /**
   * Everything the alert touches, the actor included, each tagged with its kind ({@code user:},
   * {@code session:}, {@code app:}) so that equal texts of different kinds never match.
   */
  public List<String> entities(String actor) {
    List<String> out = new ArrayList<>();
    if (actor != null && !actor.isBlank()) {
      out.add("user:" + actor);
    }
    users.forEach(u -> out.add("user:" + u));
    sessions.forEach(s -> out.add("session:" + s));
    connectedApps.forEach(a -> out.add("app:" + a));
    return out;
  }

  private static List<String> ids(Object value, Pattern shape) {
    TreeSet<String> out = new TreeSet<>();
    collect(value, shape, out);
    return out.stream().limit(MAX_EACH).toList();
  }

  private static void collect(Object value, Pattern shape, TreeSet<String> out) {
    if (value == null) {
      return;
    }
    if (value instanceof Object[] array) {
      for (Object item : array) {
        collect(item, shape, out);
      }
    } else if (value instanceof Collection<?> items) {
      items.forEach(item -> collect(item, shape, out));
    } else {
      for (String part : value.toString().split(",")) {
        String id = part.strip();
        if (shape.matcher(id).matches()) {
          out.add(id);
        }
      }
    }
  }
}
