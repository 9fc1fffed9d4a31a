package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.rulepack.RulePackLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event contract: the mapping takes what Salesforce documents (salesforce-events.md) and
 * refuses, with a reason, what it cannot read. Runs the default pack through the real pipeline.
 */
class EventMappingTest {
  private static final String PERSON = "005000000000001AAA";
  private static final long T0 = java.time.Instant.parse("2026-03-10T14:00:00Z").toEpochMilli();
  private static CompiledPack pack;

  private final List<String> deadLetters = new ArrayList<>();
  private DetectionPipeline pipeline;

  @BeforeAll
  static void compile() {
    pack = CompiledPack.compile(RulePackLoader.fromDirectory(Path.of("../rules/pack")));
  }

  @BeforeEach
  void open() {
    DeadLetters recording = (event, reason) -> deadLetters.add(event.topic() + ": " + reason);
    pipeline =
        new DetectionPipeline(
            pack,
            OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")),
            new DetectionPipeline.Options(0, false, recording));
  }

  @AfterEach
  void close() {
    pipeline.close();
  }

  private static Schema apiEventSchema(boolean v67) {
    SchemaBuilder.FieldAssembler<Schema> fields =
        SchemaBuilder.record("ApiEvent")
            .namespace("com.sforce.eventbus")
            .fields()
            .optionalLong("EventDate")
            .optionalString("EventIdentifier")
            .optionalString("UserId")
            .optionalString("SourceIp")
            .optionalString("SessionKey")
            .optionalString("ApiType")
            .optionalString("Operation")
            .optionalString("QueriedEntities")
            .optionalDouble("RowsProcessed")
            .optionalDouble("RowsReturned");
    if (v67) {
      fields = fields.optionalString("ActionName").optionalString("BotId");
    }
    return fields.endRecord();
  }

  private static ReceivedEvent received(Schema schema, Map<String, Object> values) {
    GenericRecord record = new GenericData.Record(schema);
    values.forEach(record::put);
    return new ReceivedEvent(
        "/event/ApiEventStream",
        null,
        "id-" + values.get("EventIdentifier"),
        schema.getName() + schema.getFields().size(),
        record,
        null,
        System.nanoTime());
  }

  private static Map<String, Object> read(String id, long at, double rows) {
    Map<String, Object> values = new HashMap<>();
    values.put("EventDate", at);
    values.put("EventIdentifier", id);
    values.put("UserId", PERSON);
    values.put("SourceIp", "198.51.100.5");
    values.put("ApiType", "REST");
    values.put("Operation", "Query");
    values.put("QueriedEntities", "Account, Contact");
    values.put("RowsProcessed", rows);
    values.put("RowsReturned", rows);
    return values;
  }

  @Test
  void aNewSchemaWithNewFieldsMidStreamIsReadByFieldName() {
    List<Alert> alerts = new ArrayList<>();
    alerts.addAll(pipeline.process(received(apiEventSchema(false), read("e1", T0, 60)), 0));
    Map<String, Object> v67 = read("e2", T0 + 60_000, 60);
    v67.put("ActionName", "GetRecords");
    alerts.addAll(pipeline.process(received(apiEventSchema(true), v67), 0));
    assertEquals(List.of(), deadLetters);
    assertEquals(2, pipeline.stats().totalProcessed());
    assertEquals(List.of("LW-001"), alerts.stream().map(Alert::ruleId).toList(), "60 + 60 > 100");
  }

  @Test
  void aPackThatDeclaresItsTypesAsMapsDetectsTheSame(@TempDir Path dir) throws Exception {
    // The default pack's types are object arrays (read by index); a user pack may declare maps.
    Path copy = dir.resolve("pack");
    try (var files = Files.walk(Path.of("../rules/pack"))) {
      for (Path file : files.toList()) {
        Path target = copy.resolve(Path.of("../rules/pack").relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    Path events = copy.resolve("events.epl");
    String declared = Files.readString(events);
    assertTrue(declared.contains("create objectarray schema ApiEvent"));
    Files.writeString(events, declared.replace("create objectarray schema", "create map schema"));
    CompiledPack maps = CompiledPack.compile(RulePackLoader.fromDirectory(copy));
    try (EsperDetector detector = new EsperDetector(maps.epl(), null, d -> {})) {
      assertEquals(Map.class, detector.eventType("ApiEvent").getUnderlyingType());
    }
    try (DetectionPipeline mapPipeline =
        new DetectionPipeline(
            maps,
            OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")),
            new DetectionPipeline.Options(0, false, (event, reason) -> deadLetters.add(reason)))) {
      for (DetectionPipeline each : List.of(pipeline, mapPipeline)) {
        List<Alert> alerts = new ArrayList<>();
        alerts.addAll(each.process(received(apiEventSchema(false), read("e1", T0, 60)), 0));
        alerts.addAll(each.process(received(apiEventSchema(false), read("e2", T0 + 1, 60)), 0));
        assertEquals(List.of("LW-001"), alerts.stream().map(Alert::ruleId).toList());
        assertEquals(List.of("e1", "e2"), alerts.get(0).evidence());
      }
    }
    assertEquals(List.of(), deadLetters);
  }

  @Test
  void nullKeysAndSourceIpAreTakenAsUnknown() {
    Map<String, Object> values = read("e1", T0, 5);
    values.put("SourceIp", null);
    values.put("SessionKey", null);
    values.put("QueriedEntities", null);
    values.put("RowsProcessed", -1d);
    values.put("RowsReturned", null);
    assertEquals(List.of(), pipeline.process(received(apiEventSchema(false), values), 0));
    assertEquals(List.of(), deadLetters);
  }

  @Test
  void anAvroEventWithoutEventDateIsDeadLetteredWithItsReason() {
    Map<String, Object> values = read("e1", T0, 500);
    values.put("EventDate", null);
    assertEquals(List.of(), pipeline.process(received(apiEventSchema(false), values), 0));
    assertEquals(
        List.of(
            "/event/ApiEventStream: EventDate is missing: every event needs the time it was captured"),
        deadLetters);
    assertEquals(1, pipeline.stats().totalDeadLettered());
    // The clock never started on it: the next event is judged at its own time.
    List<Alert> next = pipeline.process(received(apiEventSchema(false), read("e2", T0, 500)), 0);
    assertEquals(T0, next.get(0).firstEventTime());
  }

  @Test
  void anUnknownChannelIsDeadLettered() {
    Schema schema = apiEventSchema(false);
    GenericRecord record = new GenericData.Record(schema);
    read("e1", T0, 1).forEach(record::put);
    pipeline.process(
        new ReceivedEvent("/event/ApiEvent", null, "x", "s", record, null, System.nanoTime()), 0);
    assertEquals(1, deadLetters.size());
    assertTrue(
        deadLetters.get(0).contains("subscribe to /event/ApiEventStream"), deadLetters.get(0));
  }

  private List<Alert> json(String channel, Map<String, Object> fields) {
    return pipeline.process(channel, fields, 0);
  }

  private String refusal(String channel, Map<String, Object> fields) {
    BadEventException e = assertThrows(BadEventException.class, () -> json(channel, fields));
    return e.getMessage();
  }

  @Test
  void jsonEventsThatCannotBeReadAreRefusedWithAReasonAndCounted() {
    Map<String, Object> noDate = new HashMap<>(Map.of("EventIdentifier", "e1", "UserId", PERSON));
    assertEquals(
        "EventDate is missing: every event needs the time it was captured",
        refusal("/event/ApiEventStream", noDate));
    Map<String, Object> local =
        new HashMap<>(Map.of("EventDate", "2026-03-10T03:00:00", "UserId", PERSON));
    assertEquals(
        "EventDate '2026-03-10T03:00:00' has no UTC offset (add Z or +hh:mm)",
        refusal("/event/ApiEventStream", local));
    Map<String, Object> forty =
        new HashMap<>(
            Map.of(
                "EventDate", "2026-03-10T03:00:00Z", "UserId", PERSON, "RowsProcessed", "forty"));
    assertEquals(
        "RowsProcessed holds text that is not a number (5 characters)",
        refusal("/event/ApiEventStream", forty));
    assertTrue(
        refusal("/event/ApiEventStrem", new HashMap<>(Map.of("EventDate", 1L)))
            .contains("did you mean /event/ApiEventStream?"));
    assertEquals(4, pipeline.stats().totalDeadLettered());
    assertEquals(0, pipeline.stats().totalProcessed());
    assertEquals(-1, pipeline.eventTime() == Long.MIN_VALUE ? -1 : 0, "no event moved the clock");
  }

  @Test
  void documentedTextFormsAreRead() {
    Map<String, Object> event = new HashMap<>();
    event.put("EventDate", "2026-03-10T10:00:00-04:00");
    event.put("EventIdentifier", "p1");
    event.put("UserId", "005000000000009AAA");
    event.put("Operation", "AssignedToUsers");
    event.put("PermissionList", "[\"ViewAllData\",\"ApiEnabled\"]");
    event.put("UserCount", "1");
    event.put("ImpactedUserIds", "0055f000003EtLjAAA");
    event.put("HasExternalUsers", "false");
    event.put("FieldFromANewRelease", 42);
    List<Alert> alerts = json("/event/PermissionSetEvent", event);
    assertEquals(1, alerts.size());
    assertEquals(T0, alerts.get(0).firstEventTime(), "offset -04:00 is 14:00Z");
    assertEquals(1, alerts.get(0).count(), "UserCount as text");
    assertTrue(
        alerts.get(0).reasons().get(0).contains("0055f000003EtLjAAA"),
        "the impacted user is named: " + alerts.get(0).reasons());
    assertEquals("005000000000009AAA", alerts.get(0).principal(), "the admin is the actor");
  }

  @Test
  void theNewStreamsAreReadWithTheirDocumentedTypes() {
    Map<String, Object> view = new HashMap<>();
    view.put("EventDate", "2026-03-10T14:00:00Z");
    view.put("EventIdentifier", "v1");
    view.put("UserId", PERSON);
    view.put("Operation", "Read");
    view.put("RecordId", "0035f000001AbCdAAA");
    view.put("QueriedEntities", "Contact");
    view.put("Duration", "1200"); // a double sent as text
    view.put("EffectivePageTime", null);
    view.put("ConnectionType", "WIFI"); // documented, not declared: ignored
    assertEquals(List.of(), json("/event/LightningUriEventStream", new HashMap<>(view)));
    view.put("OperationStatus", "SUCCESS");
    assertEquals(List.of(), json("/event/UriEventStream", new HashMap<>(view)));
    Map<String, Object> file = new HashMap<>();
    file.put("EventDate", "2026-03-10T14:01:00Z");
    file.put("EventIdentifier", "f1");
    file.put("UserId", PERSON);
    file.put("FileAction", "PREVIEW");
    file.put("ContentSize", "48213"); // int in the docs
    file.put("DocumentId", null); // not always filled in
    file.put("CanDownloadPdf", "false");
    assertEquals(List.of(), json("/event/FileEvent", file));
    Map<String, Object> loginAs = new HashMap<>();
    loginAs.put("EventDate", "2026-03-10T14:02:00Z");
    loginAs.put("UserId", PERSON);
    loginAs.put("DelegatedUsername", "admin@acme-health.example");
    loginAs.put("SessionKey", null);
    assertEquals(List.of(), json("/event/LoginAsEventStream", loginAs));
    Map<String, Object> bulk = new HashMap<>();
    bulk.put("EventDate", "2026-03-10T14:03:00Z");
    bulk.put("UserId", "0055f000003EtLjAAA");
    bulk.put("Query", null);
    json("/event/BulkApiResultEvent", bulk);
    Map<String, Object> guest = new HashMap<>();
    guest.put("EventDate", "2026-03-10T14:04:00Z");
    guest.put("UserId", PERSON);
    guest.put("Score", 0.2);
    guest.put("TotalControllerEvents", "12");
    json("/event/GuestUserAnomalyEvent", guest);
    json("/event/LoginAnomalyEvent", new HashMap<>(Map.of("EventDate", "2026-03-10T14:05:00Z")));
    assertEquals(7, pipeline.stats().totalProcessed());
    assertEquals(0, pipeline.stats().totalDeadLettered());
    Map<String, Object> size = new HashMap<>(file);
    size.put("ContentSize", "big");
    assertEquals(
        "ContentSize holds text that is not a number (3 characters)",
        refusal("/event/FileEvent", size));
  }

  @Test
  void aCustomChannelTypesEachEventByItsSchemaName() {
    Schema bulkResult =
        SchemaBuilder.record("BulkApiResultEvent")
            .namespace("com.sforce.eventbus")
            .fields()
            .optionalLong("EventDate")
            .optionalString("EventIdentifier")
            .optionalString("UserId")
            .optionalString("Query")
            .endRecord();
    GenericRecord download = new GenericData.Record(bulkResult);
    download.put("EventDate", T0);
    download.put("EventIdentifier", "b1");
    download.put("UserId", PERSON);
    download.put("Query", "SELECT Id, Birthdate FROM Contact");
    String channel = "/event/PhiWatch__chn";
    assertTrue(pipeline.understands(channel));
    List<Alert> alerts =
        pipeline.process(
            new ReceivedEvent(channel, null, "x1", "s1", download, null, System.nanoTime()), 0);
    assertEquals(List.of("LW-019"), alerts.stream().map(Alert::ruleId).toList());
    GenericRecord read = new GenericData.Record(apiEventSchema(false));
    read("e1", T0 + 1_000, 1).forEach(read::put);
    pipeline.process(
        new ReceivedEvent(channel, null, "x2", "s2", read, null, System.nanoTime()), 0);
    Schema unknown =
        SchemaBuilder.record("SomethingElse").fields().optionalLong("EventDate").endRecord();
    GenericRecord other = new GenericData.Record(unknown);
    other.put("EventDate", T0 + 2_000);
    pipeline.process(
        new ReceivedEvent(channel, null, "x3", "s3", other, null, System.nanoTime()), 0);
    assertEquals(2, pipeline.stats().totalProcessed());
    assertEquals(1, deadLetters.size());
    assertTrue(deadLetters.get(0).contains("custom channel"), deadLetters.get(0));
  }

  @Test
  void coercionOfNumbersAndBooleans() {
    assertEquals(3L, EventMapper.coerce("UserCount", 3, Long.class));
    assertEquals("3", EventMapper.coerce("UserCount", 3L, String.class));
    assertEquals(2.0, EventMapper.coerce("RowsProcessed", "2", Double.class));
    assertNull(EventMapper.coerce("RowsProcessed", "", Double.class));
    assertEquals(true, EventMapper.coerce("IsScheduled", "true", Boolean.class));
    assertThrows(
        BadEventException.class, () -> EventMapper.coerce("IsScheduled", "yes", Boolean.class));
  }
}
