package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePackLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real alert from an event whose SOQL holds patient values: no sink format may carry any of it.
 */
class SinkPayloadPhiTest {
  private static final String CANARY_NAME = "Zebediah Quackenbush";
  private static final String CANARY_SSN = "987-65-4329";

  @Test
  void noSinkPayloadCarriesSoqlOrRecordValues() throws Exception {
    Path pack = Path.of("../rules/pack");
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("EventDate", "2026-03-09T14:00:00Z");
    event.put("EventIdentifier", "e1");
    event.put("UserId", "0055f000003TeLeAAA");
    event.put("SourceIp", "203.0.113.10");
    event.put("QueriedEntities", "Contact");
    event.put("RowsProcessed", 1);
    event.put(
        "Query",
        "SELECT Id, FirstName, SSN__c, toLabel(Medications__c) FROM Contact WHERE LastName = '"
            + CANARY_NAME
            + "' AND SSN__c = '"
            + CANARY_SSN
            + "'");
    List<Alert> alerts = new ArrayList<>();
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            CompiledPack.compile(RulePackLoader.fromDirectory(pack)),
            OrgProfileLoader.load(pack.resolve("test-profile.yaml")),
            DetectionPipeline.Options.defaults())) {
      alerts.addAll(pipeline.process("/event/ApiEventStream", event, 0));
      alerts.addAll(pipeline.advanceTo(pipeline.eventTime() + 3 * 3_600_000L));
    }
    assertFalse(alerts.isEmpty(), "the over-fetching query raises an alert");
    for (Alert alert : alerts) {
      List<String> payloads =
          List.of(
              AlertJson.toJson(alert),
              OcsfDetectionFinding.toJson(alert),
              SlackMessage.toJson(alert),
              SyslogMessage.format(alert, SyslogMessage.DEFAULT_FACILITY),
              PlatformEventFields.values(AlertJson.toJson(alert), 0).toString());
      for (String payload : payloads) {
        String lower = payload.toLowerCase(Locale.ROOT);
        assertFalse(
            lower.contains("select ")
                || lower.contains(" from contact")
                || lower.contains(" where "),
            "SOQL in " + payload);
        assertFalse(
            payload.contains("Zebediah") || payload.contains("Quackenbush"),
            "a patient name in " + payload);
        assertFalse(
            payload.contains(CANARY_SSN) || payload.contains("987654329"), "an SSN in " + payload);
        assertTrue(payload.contains(alert.principal()), "the principal id is there: " + payload);
      }
    }
  }
}
