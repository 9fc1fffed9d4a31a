package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.io.IOException;

/**
 * Somewhere alerts go. Called from one thread at a time; may block (sinks run off the event loop).
 */
public interface AlertSink extends AutoCloseable {
  void accept(Alert alert) throws IOException;

  @Override
  default void close() throws IOException {}
}
