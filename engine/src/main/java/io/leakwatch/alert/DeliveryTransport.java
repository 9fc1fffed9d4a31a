package io.leakwatch.alert;

import java.io.IOException;

/** Carries one spooled payload to a receiver. Called from a sink's single delivery thread. */
public interface DeliveryTransport extends AutoCloseable {
  /**
   * Never throws for a receiver's failure: classifies it as {@link DeliveryOutcome.Retry} or {@link
   * DeliveryOutcome.Dead}.
   */
  DeliveryOutcome send(String deliveryKey, String payload);

  @Override
  default void close() throws IOException {}
}
