package io.leakwatch.cep;

/**
 * Maps a Pub/Sub channel to the Esper event type rules are written against: {@code
 * /event/ApiEventStream} → {@code ApiEvent}, {@code /event/PermissionSetEvent} → {@code
 * PermissionSetEvent}.
 */
public final class TopicTypes {
  private TopicTypes() {}

  public static String typeFor(String topic) {
    String name = topic.startsWith("/event/") ? topic.substring("/event/".length()) : topic;
    if (name.endsWith("EventStream")) {
      name = name.substring(0, name.length() - "Stream".length());
    }
    return name;
  }
}
