package io.leakwatch.learn;

import java.util.Map;

/**
 * A stored event object (a big object queried with SOQL) and the stream whose events it keeps:
 * {@code ApiEvent} for {@code /event/ApiEventStream}, {@code PermissionSetEventStore} for {@code
 * /event/PermissionSetEvent}. Its rows carry the stream's field names.
 *
 * @param topic the stream, e.g. {@code /event/ApiEventStream}
 * @param name the stored object, e.g. {@code ApiEvent}
 * @param fields what to select, with the type the pack declares for each: the fields of the
 *     stream's event type that the stored object has (never {@code Records}, which no rule reads)
 */
record StoredObject(String topic, String name, Map<String, Class<?>> fields) {
  private static final String PREFIX = "/event/";

  /** The stored object of a documented stream's channel name (e.g. {@code ApiEventStream}). */
  static String nameOf(String channel) {
    return channel.endsWith("EventStream")
        ? channel.substring(0, channel.length() - "Stream".length())
        : channel + "Store";
  }

  static String topicOf(String channel) {
    return PREFIX + channel;
  }
}
