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
 * The alert that a rule's learned state starts empty at this start: the saved table no longer fits
 * the pack (its shape changed), or the saved state could not be read. The rule is blind to what it
 * had learned until it learns again, which the team must know.
 */
public final class LearnedStateReset {
  public static final String RULE_ID = "LW-STATE";

  private LearnedStateReset() {}

  /**
   * @param table the table id ({@code ruleId/TableName}) or the file
   * @param why the reason, naming both shapes when the shape changed
   */
  public static Alert alert(String table, String why, long now, boolean drill) {
    return Alert.builder()
        .id(id(table, now))
        .ruleId(RULE_ID)
        .title("Learned state reset: " + table + " starts empty")
        .severity(Severity.MEDIUM)
        .principal("leakwatch")
        .objects(table)
        .firstEventTime(now)
        .lastEventTime(now)
        .detectedAt(now)
        .reasons(List.of(why))
        .attack(List.of())
        .controls(Map.of("soc2", List.of("CC7.2"), "iso27001", List.of("A.8.16")))
        .drill(drill)
        .receivedNanos(System.nanoTime())
        .build();
  }

  private static String id(String table, long now) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((table + '\0' + now).getBytes(StandardCharsets.UTF_8));
      return "lw-state-" + HexFormat.of().formatHex(hash, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
