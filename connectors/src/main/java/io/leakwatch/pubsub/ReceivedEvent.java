package io.leakwatch.pubsub;

import org.apache.avro.generic.GenericRecord;

/**
 * One event as it came off a subscription: decoded, or with the reason it could not be. Undecodable
 * events are handed on too, so the consumer can dead-letter them: nothing is dropped silently here.
 *
 * @param record the decoded payload, or null when {@code failure} is set
 * @param failure why the payload could not be decoded, or null
 * @param receivedNanos {@link System#nanoTime()} when the response carrying it arrived
 */
public record ReceivedEvent(
    String topic,
    ReplayId replayId,
    String eventId,
    String schemaId,
    GenericRecord record,
    String failure,
    long receivedNanos) {

  public boolean decoded() {
    return failure == null;
  }
}
