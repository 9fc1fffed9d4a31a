package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.io.IOException;

/**
 * Somewhere alerts go. Called from one thread at a time; may block (sinks run off the event loop).
 */
public interface AlertSink extends AutoCloseable {
  void accept(Alert alert) throws IOException;

  /**
   * The state of this sink's spool, for a sink whose {@link #accept} returns once the alert is
   * spooled (delivery runs behind it); null for a sink that delivers before it returns.
   */
  default SpooledAlertSink.Stats spoolStats() {
    return null;
  }

  @Override
  default void close() throws IOException {}
}
