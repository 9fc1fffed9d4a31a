package io.leakwatch.cep;

import java.util.List;
import java.util.Locale;

/**
 * Maps a Pub/Sub channel to the Esper event type rules are written against: {@code
 * /event/ApiEventStream} → {@code ApiEvent}, {@code /event/PermissionSetEvent} → {@code
 * PermissionSetEvent}; and says why a channel cannot be one Salesforce streams.
 */
public final class TopicTypes {
  private static final String PREFIX = "/event/";

  /**
   * Not a channel: the source name of logins read from the org's LoginHistory by SOQL (integration
   * and internal users' logins never reach LoginEventStream). Its rows are LoginEvents.
   */
  public static final String LOGIN_HISTORY = "/query/LoginHistory";

  /** Channels the Platform Events Developer Guide documents for RTEM and Threat Detection. */
  static final List<String> DOCUMENTED =
      List.of(
          "ApiEventStream",
          "LoginEventStream",
          "ReportEventStream",
          "ListViewEventStream",
          "LightningUriEventStream",
          "UriEventStream",
          "LoginAsEventStream",
          "LogoutEventStream",
          "PermissionSetEvent",
          "FileEvent",
          "BulkApiResultEvent",
          "ApiAnomalyEvent",
          "SessionHijackingEvent",
          "CredentialStuffingEvent",
          "ReportAnomalyEvent",
          "LoginAnomalyEvent",
          "GuestUserAnomalyEvent");

  private TopicTypes() {}

  /**
   * Whether {@code topic} is a custom platform-event channel ({@code /event/Name__chn}). Salesforce
   * lets an org group up to ten RTEM events on one: each event on it is typed by its schema's
   * record name (e.g. {@code BulkApiResultEvent}), not by the channel. This is also how a stream
   * whose channel the docs do not print (BulkApiResultEvent) can be read under another name.
   */
  public static boolean isCustomChannel(String topic) {
    return topic != null && topic.startsWith(PREFIX) && topic.endsWith("__chn");
  }

  /**
   * The name an alert gives the stream behind it: {@code /event/LoginEventStream} → {@code
   * LoginEventStream}; the LoginHistory poll's {@code /query/LoginHistory} → {@code LoginHistory}.
   */
  public static String streamName(String topic) {
    return topic.substring(topic.lastIndexOf('/') + 1);
  }

  /**
   * The stream name of the channel whose events are of {@code type} ({@code ApiEvent} → {@code
   * ApiEventStream}); a pack's own type, fed by no channel, is named as it is.
   */
  public static String streamOfType(String type) {
    for (String channel : DOCUMENTED) {
      if (typeFor(PREFIX + channel).equals(type)) {
        return channel;
      }
    }
    return type;
  }

  public static String typeFor(String topic) {
    if (topic.equals(LOGIN_HISTORY)) {
      return "LoginEvent";
    }
    String name = topic.startsWith(PREFIX) ? topic.substring(PREFIX.length()) : topic;
    if (name.endsWith("EventStream")) {
      name = name.substring(0, name.length() - "Stream".length());
    }
    return name;
  }

  /**
   * Why {@code channel} is not a channel to subscribe to or replay, or null when it may be one: it
   * must start with {@code /event/}, and the stored copies ({@code ApiEvent}, a big object) are not
   * channels ({@code /event/ApiEventStream} is).
   */
  public static String problem(String channel) {
    if (channel == null || channel.isBlank()) {
      return "no channel given (e.g. /event/ApiEventStream)";
    }
    if (channel.equals(LOGIN_HISTORY)) {
      return null;
    }
    if (!channel.startsWith(PREFIX)) {
      return "channel '" + channel + "' does not start with /event/" + suggestion(channel);
    }
    String name = channel.substring(PREFIX.length());
    if (DOCUMENTED.contains(name + "Stream")) {
      return "'"
          + channel
          + "' is the stored event object, not a channel: subscribe to "
          + channel
          + "Stream";
    }
    if (name.endsWith("Store")) {
      String event = name.substring(0, name.length() - "Store".length());
      if (DOCUMENTED.contains(event)) {
        return "'"
            + channel
            + "' is the stored event object (SOQL), not a channel: subscribe to "
            + PREFIX
            + event;
      }
    }
    if (name.equals("FileEventStream")) {
      return "there is no /event/FileEventStream: the channel is /event/FileEvent";
    }
    return null;
  }

  /** Why no rule can read {@code channel}: for a channel whose type the pack does not declare. */
  public static String undeclared(String channel) {
    return "no event type "
        + typeFor(channel)
        + " is declared in the rule pack for channel "
        + channel
        + suggestion(channel);
  }

  /** " (did you mean /event/X?)" for the closest documented channel within two edits, else "". */
  private static String suggestion(String channel) {
    String name =
        channel.startsWith(PREFIX) ? channel.substring(PREFIX.length()) : channel.replace("/", "");
    String best = null;
    int bestDistance = 3;
    for (String known : DOCUMENTED) {
      int d = distance(known.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
      if (d < bestDistance && !(known.equals(name) && channel.startsWith(PREFIX))) {
        best = known;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean " + PREFIX + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
