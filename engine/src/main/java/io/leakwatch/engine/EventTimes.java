package io.leakwatch.engine;

import io.leakwatch.pubsub.ReceivedEvent;

/** The event time of a received event: EventDate, else CreatedDate. */
final class EventTimes {
  private EventTimes() {}

  /** {@code fallback} for an undecodable event or one that carries neither field. */
  static long of(ReceivedEvent event, long fallback) {
    if (event.decoded()) {
      for (String field : new String[] {"EventDate", "CreatedDate"}) {
        if (event.record().getSchema().getField(field) != null
            && event.record().get(field) instanceof Long time) {
          return time;
        }
      }
    }
    return fallback;
  }
}
