package io.leakwatch.alert;

import java.io.IOException;

/**
 * A sink refused one alert for good: the alert itself, not the sink's state, is the cause (a value
 * longer than the alert history can hold, say), so trying the same alert again would fail the same
 * way for ever. Delivery does not wait for it: the refusal is logged and counted once and the alert
 * goes on to the other sinks. A sink that cannot take alerts for now (a store that is down, a full
 * disk) throws a plain {@link IOException} instead, and is retried.
 *
 * <p>The message names the alert (its id or delivery key) and why, never a value of the alert.
 */
public class AlertRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  public AlertRefusedException(String message) {
    super(message);
  }
}
