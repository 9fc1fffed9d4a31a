package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An RFC 5424 syslog message carrying a CEF body: {@code <PRI>1 TIMESTAMP HOSTNAME leakwatch -
 * RULE-ID - CEF:0|...}. Framing (RFC 6587 octet counting) is the transport's job.
 */
public final class SyslogMessage {
  /** RFC 5424 facility 10: security/authorization (private). */
  public static final int DEFAULT_FACILITY = 10;

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
  private static final String HOSTNAME = localHostname();

  private SyslogMessage() {}

  /**
   * Syslog severity: critical 2 (crit), high 3 (err), medium 4 (warning), low 5 (notice), info 6. A
   * drill is 6.
   */
  static int severity(Alert alert) {
    if (alert.drill()) {
      return 6;
    }
    return switch (alert.severity()) {
      case CRITICAL -> 2;
      case HIGH -> 3;
      case MEDIUM -> 4;
      case LOW -> 5;
      case INFO -> 6;
    };
  }

  public static String format(Alert alert, int facility) {
    int pri = facility * 8 + severity(alert);
    return "<"
        + pri
        + ">1 "
        + TIMESTAMP.format(Instant.ofEpochMilli(alert.detectedAt()))
        + " "
        + HOSTNAME
        + " leakwatch - "
        + printable(alert.ruleId(), 32)
        + " - "
        + CefMessage.format(alert);
  }

  /** RFC 5424 header fields are printable US-ASCII without spaces, or "-" when empty. */
  static String printable(String value, int max) {
    StringBuilder out = new StringBuilder();
    for (char c : (value == null ? "" : value).toCharArray()) {
      if (c > 32 && c < 127 && out.length() < max) {
        out.append(c);
      }
    }
    return out.length() == 0 ? "-" : out.toString();
  }

  private static String localHostname() {
    try {
      return printable(InetAddress.getLocalHost().getHostName(), 255);
    } catch (UnknownHostException e) {
      return "-";
    }
  }
}
