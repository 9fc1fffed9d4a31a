package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.espertech.esper.common.client.EventType;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RulePackLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventFactsTest {
  private static final String PERSON = "005000000000001AAA";
  private static final String ETL = "0055f000003EtLjAAA"; // run window 01:00-04:00 local

  private static OrgContext org;
  private static EsperDetector detector;

  @BeforeAll
  static void pack() throws Exception {
    org = new OrgContext(OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")));
    detector =
        new EsperDetector(RulePackLoader.fromDirectory(Path.of("../rules/pack")), org, d -> {});
  }

  @AfterAll
  static void close() {
    detector.close();
  }

  private static Map<String, Object> api(String user, String time, String entities) {
    Map<String, Object> fields = new HashMap<>();
    fields.put("EventDate", time);
    fields.put("UserId", user);
    fields.put("QueriedEntities", entities);
    // A payload that carried a field of a fact's name does not decide the fact.
    fields.put("TouchesPhi", "true");
    return fields;
  }

  @Test
  void workedOutOnceFromTheProfileBeforeEsperSeesTheEvent() {
    EventMapper mapper =
        new EventMapper(detector.eventType("ApiEvent"), org, "/event/ApiEventStream");

    MappedEvent night =
        mapper.fromFields(api(PERSON, "2026-03-10T03:00:00Z", "Account, Patient_Record__c"));
    assertEquals("Patient_Record__c", night.get("PhiObjects"));
    assertEquals(true, night.get("TouchesPhi"));
    assertEquals(false, night.get("ByIntegration"));
    assertEquals(true, night.get("OutsideHours"), "23:00 in the org's time zone");

    MappedEvent etl = mapper.fromFields(api(ETL, "2026-03-10T14:00:00Z", "Account"));
    assertEquals("", etl.get("PhiObjects"));
    assertEquals(false, etl.get("TouchesPhi"));
    assertEquals(true, etl.get("ByIntegration"));
    assertEquals(true, etl.get("OutsideHours"), "10:00 is outside the ETL's 01:00-04:00 window");
  }

  @Test
  void aBulkResultDownloadTouchesThePhiObjectsItsJobsQueryReads() {
    EventMapper mapper =
        new EventMapper(detector.eventType("BulkApiResultEvent"), org, "/event/BulkApiResultEvent");
    Map<String, Object> fields = new HashMap<>();
    fields.put("EventDate", "2026-03-10T14:00:00Z");
    fields.put("UserId", PERSON);
    fields.put("Query", "SELECT Id, Contact.SSN__c FROM Case WHERE Subject = 'x'");
    MappedEvent byPath = mapper.fromFields(fields);
    assertEquals("Contact", byPath.get("PhiObjects"), "a relationship path names the object");
    assertEquals(true, byPath.get("TouchesPhi"));

    fields.put("Query", "SELECT Id, Owner.Name FROM Account");
    MappedEvent accounts = mapper.fromFields(fields);
    assertEquals("", accounts.get("PhiObjects"));
    assertEquals(false, accounts.get("TouchesPhi"));

    fields.put("Query", null);
    assertEquals(false, mapper.fromFields(fields).get("TouchesPhi"), "no query, nothing read");
  }

  @Test
  void aLoginNamesTheStreamItCameFromTheStreamOrTheLoginHistoryPoll() {
    Map<String, Object> fields = Map.of("EventDate", "2026-03-10T14:00:00Z", "UserId", ETL);
    assertEquals(
        "LoginEventStream",
        new EventMapper(detector.eventType("LoginEvent"), org, "/event/LoginEventStream")
            .fromFields(fields)
            .get("Stream"));
    assertEquals(
        "LoginHistory",
        new EventMapper(detector.eventType("LoginEvent"), org, TopicTypes.LOGIN_HISTORY)
            .fromFields(fields)
            .get("Stream"));
  }

  @Test
  void aMapperWithoutTheOrgAddsNothing() {
    MappedEvent plain =
        new EventMapper(detector.eventType("ApiEvent"))
            .fromFields(api(PERSON, "2026-03-10T03:00:00Z", "Patient_Record__c"));
    assertEquals(null, plain.get("PhiObjects"));
  }

  @Test
  void aTypeThatDeclaresAFactWithAnotherTypeIsRefusedByName() {
    EventType wrong = typeDeclaring("TouchesPhi string");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new EventMapper(wrong, org, null));
    assertTrue(e.getMessage().contains("TouchesPhi"), e.getMessage());
  }

  @Test
  void typesThatDeclareNoFactsAreLeftAsTheyAre() {
    MappedEvent signal =
        new EventMapper(
                detector.eventType("SessionHijackingEvent"), org, "/event/SessionHijackingEvent")
            .fromFields(Map.of("EventDate", "2026-03-10T03:00:00Z", "UserId", ETL));
    assertFalse(signal.declares("ByIntegration"));
    assertEquals(null, signal.get("ByIntegration"));
  }

  @Test
  void aTypeWithoutEventDateIsRefusedByNameNotWithANullPointer() {
    EventMapper mapper = new EventMapper(mapType("Timeless", "UserId string"), org, null);
    BadEventException e =
        assertThrows(BadEventException.class, () -> mapper.fromFields(Map.of("UserId", ETL)));
    assertEquals("event type Timeless declares no EventDate: rules run on it", e.getMessage());
  }

  @Test
  void aMapTypeGetsItsFactsAndIsSentAsAMap() {
    MappedEvent event =
        new EventMapper(typeDeclaring("TouchesPhi boolean"), org, null)
            .fromFields(api(PERSON, "2026-03-10T03:00:00Z", "Patient_Record__c"));
    assertFalse(event.shape().objectArray());
    assertEquals(true, event.asMap().get("TouchesPhi"));
    assertEquals("Patient_Record__c", event.asMap().get("QueriedEntities"));
  }

  private static EventType typeDeclaring(String column) {
    return mapType("Odd", "EventDate long, UserId string, QueriedEntities string, " + column);
  }

  private static EventType mapType(String name, String columns) {
    var runtime =
        com.espertech.esper.runtime.client.EPRuntimeProvider.getRuntime(
            "facts-" + System.nanoTime(), EsperRules.configuration(null));
    try {
      var compiled =
          com.espertech.esper.compiler.client.EPCompilerProvider.getCompiler()
              .compile(
                  "@public @buseventtype create map schema " + name + " (" + columns + ")",
                  new com.espertech.esper.compiler.client.CompilerArguments(
                      EsperRules.configuration(null)));
      runtime.getDeploymentService().deploy(compiled);
      return runtime.getEventTypeService().getBusEventType(name);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
