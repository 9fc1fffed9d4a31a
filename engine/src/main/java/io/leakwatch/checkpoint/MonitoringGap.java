package io.leakwatch.checkpoint;

import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The alert that records a span in which Leakwatch could not watch a topic: the stored position was
 * rejected (expired past the retention window, or corrupt) and the subscription had to start
 * elsewhere. A gap is audit evidence, so it is an alert like any other.
 */
public final class MonitoringGap {
  public static final String RULE_ID = "LW-GAP";

  private MonitoringGap() {}

  /**
   * @param since event time of the last event processed before the gap (or 0 when unknown)
   * @param until wall time when the subscription restarted elsewhere
   */
  public static Alert alert(
      String topic, long since, long until, String reason, String resumedFrom, boolean drill) {
    return Alert.builder()
        .id(id(topic, since, until))
        .ruleId(RULE_ID)
        .title("Monitoring gap: events of " + topic + " may never be seen")
        .severity(Severity.HIGH)
        .principal("leakwatch")
        .objects(topic)
        .firstEventTime(since)
        .lastEventTime(until)
        .detectedAt(until)
        .reasons(List.of(reason, "resumed from " + resumedFrom))
        .attack(List.of("T1562.008"))
        .controls(
            Map.of(
                "soc2",
                List.of("CC7.2", "CC7.3"),
                "iso27001",
                List.of("A.8.15", "A.8.16"),
                "hipaa",
                List.of("164.312(b)")))
        .drill(drill)
        .receivedNanos(System.nanoTime())
        .build();
  }

  private static String id(String topic, long since, long until) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((topic + '\0' + since + '\0' + until).getBytes(StandardCharsets.UTF_8));
      return "lw-gap-" + HexFormat.of().formatHex(hash, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
