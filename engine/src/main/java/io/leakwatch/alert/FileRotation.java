package io.leakwatch.alert;

/**
 * When a JSON Lines alert file is rotated: before a line that would take it past {@code maxBytes}
 * (0: no size limit), and/or at the first line of a new UTC day ({@code daily}). {@code keep}
 * rotated files are kept; older ones are deleted.
 */
public record FileRotation(long maxBytes, boolean daily, int keep) {
  public static final FileRotation NONE = new FileRotation(0, false, 0);

  public FileRotation {
    if (maxBytes < 0 || keep < 0) {
      throw new IllegalArgumentException("maxBytes and keep must not be negative");
    }
    if ((maxBytes > 0 || daily) && keep < 1) {
      throw new IllegalArgumentException("a rotated file must keep at least one old file");
    }
  }

  public boolean enabled() {
    return maxBytes > 0 || daily;
  }
}
