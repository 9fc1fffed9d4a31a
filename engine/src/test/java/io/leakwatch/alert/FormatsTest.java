package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.decision.Alert;
import io.leakwatch.decision.Subjects;
import io.leakwatch.rulepack.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void ocsfDetectionFindingCarriesTheClassActivitySeverityAndIdsOnly() throws Exception {
    JsonNode f = JSON.readTree(OcsfDetectionFinding.toJson(TestAlerts.alert("o1")));
    assertEquals(2004, f.get("class_uid").asInt());
    assertEquals(2, f.get("category_uid").asInt());
    assertEquals(1, f.get("activity_id").asInt());
    assertEquals(200401, f.get("type_uid").asInt());
    assertEquals(4, f.get("severity_id").asInt());
    assertEquals("High", f.get("severity").asText());
    assertEquals(TestAlerts.T0 + 61_000, f.get("time").asLong());
    assertTrue(f.get("is_alert").asBoolean());
    JsonNode info = f.get("finding_info");
    assertEquals("o1", info.get("uid").asText());
    assertEquals("Bulk read of patient records", info.get("title").asText());
    assertEquals("LW-001", info.get("analytic").get("uid").asText());
    assertEquals(1, info.get("analytic").get("type_id").asInt());
    assertEquals("T1530", info.get("attacks").get(0).get("technique").get("uid").asText());
    assertEquals(
        List.of("ev-1", "ev-2"),
        List.of(
            info.get("related_events").get(0).get("uid").asText(),
            info.get("related_events").get(1).get("uid").asText()));
    assertTrue(info.get("types").isArray());
    assertEquals("Leakwatch", f.get("metadata").get("product").get("name").asText());
    assertEquals("1.8.0", f.get("metadata").get("version").asText());
    assertEquals("0055f000003TeLeAAA", f.get("actor").get("user").get("uid").asText());
    assertEquals(31, f.get("observables").get(0).get("type_id").asInt());
    assertEquals("Contact", f.get("resources").get(0).get("uid").asText());
    assertEquals("Case", f.get("resources").get(1).get("uid").asText());

    Alert critical =
        TestAlerts.alert("o2", Severity.CRITICAL, false).toBuilder().revision(3).build();
    JsonNode update = JSON.readTree(OcsfDetectionFinding.toJson(critical));
    assertEquals(2, update.get("activity_id").asInt());
    assertEquals(200402, update.get("type_uid").asInt());
    assertEquals(5, update.get("severity_id").asInt());
    assertEquals("o2#3", update.get("metadata").get("uid").asText());
    JsonNode suppressed =
        JSON.readTree(
            OcsfDetectionFinding.toJson(
                TestAlerts.alert("o3").toBuilder().suppression("change window").build()));
    assertEquals(3, suppressed.get("status_id").asInt());
    assertFalse(suppressed.get("is_alert").asBoolean());
  }

  @Test
  void theActorAndSubjectsTravelInJsonAndOcsf() throws Exception {
    Alert alert =
        TestAlerts.alert("s1").toBuilder()
            .subjects(
                new Subjects(
                    List.of("005000000000001AAA"),
                    List.of("sessKey0001"),
                    List.of("0H45f000000TeLe")))
            .build();
    JsonNode json = JSON.readTree(AlertJson.toJson(alert));
    assertEquals("0055f000003TeLeAAA", json.get("actor").asText());
    assertEquals("005000000000001AAA", json.get("subjects").get("users").get(0).asText());
    assertEquals(alert.subjects(), AlertJson.fromJson(AlertJson.toJson(alert)).subjects());
    assertFalse(
        JSON.readTree(AlertJson.toJson(TestAlerts.alert("s2"))).has("subjects"),
        "no subjects, no empty object");

    JsonNode ocsf = JSON.readTree(OcsfDetectionFinding.toJson(alert));
    assertEquals("sessKey0001", ocsf.get("actor").get("session").get("uid").asText());
    assertEquals("0H45f000000TeLe", ocsf.get("actor").get("app_uid").asText());
    assertEquals("005000000000001AAA", ocsf.get("observables").get(1).get("value").asText());
    assertEquals(
        "sessKey0001", ocsf.get("unmapped").get("subjects").get("sessions").get(0).asText());
  }

  @Test
  void cefEscapesPipesAndBackslashesInTheHeaderAndEqualsInExtensions() {
    assertEquals("a\\|b\\\\c d", CefMessage.header("a|b\\c\nd"));
    assertEquals("a\\=b\\\\c|d\\ne", CefMessage.extension("a=b\\c|d\ne"));
    Alert odd =
        Alert.builder()
            .id("x1")
            .ruleId("LW-9|9")
            .title("Title with | pipe and \\ slash")
            .severity(Severity.MEDIUM)
            .principal("005")
            .count(3)
            .objects("A=B")
            .firstEventTime(1L)
            .lastEventTime(2L)
            .detectedAt(3L)
            .reasons(List.of("why=because"))
            .build();
    String cef = CefMessage.format(odd);
    assertTrue(cef.contains("|LW-9\\|9|Title with \\| pipe and \\\\ slash|5|"), cef);
    assertTrue(cef.contains("cs1=A\\=B cs1Label=objects"), cef);
    assertTrue(cef.contains("msg=why\\=because"), cef);
  }

  @Test
  void cefSeverityRunsFromOneToTen() {
    assertEquals(1, CefMessage.severity(Severity.INFO));
    assertEquals(3, CefMessage.severity(Severity.LOW));
    assertEquals(5, CefMessage.severity(Severity.MEDIUM));
    assertEquals(8, CefMessage.severity(Severity.HIGH));
    assertEquals(10, CefMessage.severity(Severity.CRITICAL));
  }
}
