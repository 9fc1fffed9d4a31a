package io.leakwatch.alert;

import java.time.Duration;

/**
 * What a transport made of one delivery attempt. Reasons name statuses and codes, never payloads or
 * secrets.
 */
public sealed interface DeliveryOutcome {
  record Delivered() implements DeliveryOutcome {}

  /**
   * Try again later; {@code notBefore} is the receiver's own wait (Retry-After), or null for plain
   * backoff.
   */
  record Retry(String reason, Duration notBefore) implements DeliveryOutcome {}

  /** The receiver refused this payload for good: it goes to the dead-letter file. */
  record Dead(String reason) implements DeliveryOutcome {}

  static DeliveryOutcome delivered() {
    return new Delivered();
  }

  static DeliveryOutcome retry(String reason) {
    return new Retry(reason, null);
  }
}
