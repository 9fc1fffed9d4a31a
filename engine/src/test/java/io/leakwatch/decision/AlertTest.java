package io.leakwatch.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.rulepack.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertTest {
  private static Alert.Builder minimal() {
    return Alert.builder().id("lw-1").ruleId("LW-001").severity(Severity.HIGH);
  }

  @Test
  void anAlertBuiltWithOnlyItsIdentityIsAFirstRevisionWithEmptyDetails() {
    Alert alert = minimal().build();
    assertEquals(1, alert.revision());
    assertEquals("lw-1", alert.deliveryKey());
    assertTrue(alert.evidence().isEmpty() && alert.reasons().isEmpty());
    assertTrue(alert.decidedBy().isEmpty() && alert.attack().isEmpty());
    assertEquals(Map.of(), alert.controls());
    assertEquals(List.of(), alert.responses());
    assertNull(alert.incident());
    assertNull(alert.suppression());
    assertTrue(alert.subjects().isEmpty());
  }

  @Test
  void toBuilderCopiesEveryComponent() {
    Alert full =
        new Alert(
            "lw-2",
            "LW-012",
            "Threat",
            Severity.CRITICAL,
            "005A",
            "etl",
            new Subjects(List.of("005000000000002AAA"), List.of("sessKey12345"), List.of()),
            7,
            "Contact",
            1,
            2,
            3,
            List.of("e1"),
            List.of("ApiEventStream"),
            List.of("r1"),
            List.of("d1"),
            List.of("T1530"),
            Map.of("hipaa", List.of("164.312(b)")),
            true,
            42,
            3,
            "lw-0",
            "CHG-1",
            List.of(new ResponseRequest(ResponseAction.END_SESSION, "LW-012", true)));
    assertEquals(full, full.toBuilder().build());
    Alert escalated = full.toBuilder().revision(4).build();
    assertEquals("lw-2#4", escalated.deliveryKey());
    assertEquals(full.evidence(), escalated.evidence());
  }

  @Test
  void anAlertWithoutIdRuleOrSeverityOrWithRevisionZeroIsRefused() {
    assertThrows(NullPointerException.class, () -> minimal().id(null).build());
    assertThrows(NullPointerException.class, () -> minimal().ruleId(null).build());
    assertThrows(NullPointerException.class, () -> minimal().severity(null).build());
    assertThrows(IllegalArgumentException.class, () -> minimal().revision(0).build());
  }
}
