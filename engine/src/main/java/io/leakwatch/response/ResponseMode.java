package io.leakwatch.response;

/**
 * How far Leakwatch may go on its own, weakest first: an action runs in the weakest of the org's
 * mode, the action's own setting and what the requesting rule allows.
 */
public enum ResponseMode {
  /** Nothing happens and nothing is written. */
  OFF("off"),
  /** What would happen is written to the audit log; Salesforce is not called. */
  DRY_RUN("dryRun"),
  /** The action waits until a human approves it (then runs) or rejects it. */
  APPROVAL("approval"),
  /** The action runs at once. */
  AUTO("auto");

  private final String label;

  ResponseMode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static ResponseMode parse(String label) {
    for (ResponseMode mode : values()) {
      if (mode.label.equals(label)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "must be off, dryRun, approval or auto, was '" + label + "'");
  }

  /** The weaker of the two. */
  public ResponseMode atMost(ResponseMode other) {
    return compareTo(other) <= 0 ? this : other;
  }
}
