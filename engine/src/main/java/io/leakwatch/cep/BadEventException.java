package io.leakwatch.cep;

import io.leakwatch.decision.Alert;
import java.util.List;

/**
 * An event the engine cannot read as Salesforce documents it (no EventDate, a date-time without
 * offset, text in a number field, a channel no rule reads). The message is the reason that goes to
 * the dead letters and to {@code replay}'s report: field names and shapes, never a field's text.
 */
public final class BadEventException extends IllegalArgumentException {
  private final transient List<Alert> decided;

  public BadEventException(String reason) {
    this(reason, List.of());
  }

  /**
   * An event some rule threw on, refused with the alerts the other rules decided on it: they are
   * real, and reported with the refusal.
   */
  public BadEventException(String reason, List<Alert> decided) {
    super(reason);
    this.decided = List.copyOf(decided);
  }

  /** Alerts the rules that did not throw decided on the event; none for an unreadable event. */
  public List<Alert> decided() {
    return decided;
  }
}
