package io.leakwatch.cep;

/**
 * An event the engine cannot read as Salesforce documents it (no EventDate, a date-time without
 * offset, text in a number field, a channel no rule reads). The message is the reason that goes to
 * the dead letters and to {@code replay}'s report: field names and shapes, never a field's text.
 */
public final class BadEventException extends IllegalArgumentException {
  public BadEventException(String reason) {
    super(reason);
  }
}
