package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.Backoff;
import io.leakwatch.alert.DrillPolicy;
import io.leakwatch.alert.PlatformEventTransport;
import io.leakwatch.alert.SpooledAlertSink;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.Alert;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.rulepack.Severity;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.server.TopicLog;
import io.leakwatch.sim.traffic.EventSchemas;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts published back into the org as platform events, over real gRPC on loopback TLS to the
 * simulator.
 */
class AlertPublishTest {
  private static final String TENANT = "00D000000000001AAA";
  private static final String TOPIC = "/event/Leakwatch_Alert__e";
  private static final long T0 = 1_773_064_800_000L;

  /** The event as an org defines it: Salesforce's shape, custom fields as ["null", T] unions. */
  static final Schema ALERT_EVENT =
      new Schema.Parser()
          .parse(
              """
      {"type": "record", "name": "Leakwatch_Alert__e", "namespace": "com.sforce.eventbus", "fields": [
        {"name": "CreatedDate", "type": "long", "doc": "CreatedDate:DateTime"},
        {"name": "CreatedById", "type": "string", "doc": "CreatedBy:EntityId"},
        {"name": "Alert_Id__c", "type": ["null", "string"], "default": null},
        {"name": "Delivery_Key__c", "type": ["null", "string"], "default": null},
        {"name": "Rule_Id__c", "type": ["null", "string"], "default": null},
        {"name": "Severity__c", "type": ["null", "string"], "default": null},
        {"name": "Principal_Id__c", "type": ["null", "string"], "default": null},
        {"name": "Objects__c", "type": ["null", "string"], "default": null},
        {"name": "Count__c", "type": ["null", "double"], "default": null},
        {"name": "Revision__c", "type": ["null", "double"], "default": null},
        {"name": "Detected_At__c", "type": ["null", "long"], "default": null},
        {"name": "Drill__c", "type": ["null", "boolean"], "default": null},
        {"name": "Note__c", "type": ["null", "string"], "default": null}
      ]}""");

  @TempDir Path dir;

  private static Alert alert(String id) {
    return Alert.builder()
        .id(id)
        .ruleId("LW-008")
        .title("Bulk API read of PHI")
        .severity(Severity.HIGH)
        .principal("0055f000003TeLeAAA")
        .count(5_000)
        .objects("Contact")
        .firstEventTime(T0)
        .lastEventTime(T0 + 1_000)
        .detectedAt(T0 + 2_000)
        .evidence(List.of("e1"))
        .reasons(List.of("bulk read"))
        .build();
  }

  private SelfSignedCertificate tls;

  /**
   * The same certificate on every start, so a server that comes back on the same port is trusted
   * again.
   */
  private PubSubServer server(int port) throws Exception {
    if (tls == null) {
      tls = SelfSignedCertificate.generate(dir.resolve("tls"));
    }
    PubSubServer.Settings defaults = PubSubServer.Settings.defaults(TENANT, dir.resolve("tls"));
    return PubSubServer.start(
        new PubSubServer.Settings(
            "127.0.0.1",
            port,
            TENANT,
            tls.certificate(),
            tls.privateKey(),
            dir.resolve("tls"),
            defaults.keepAlive(),
            defaults.idleClose(),
            token -> true),
        EventSchemas.standard().byTopic(),
        Map.of(TOPIC, ALERT_EVENT),
        1_000);
  }

  private SpooledAlertSink sink(int port, Path certificate, String topic, String spool)
      throws Exception {
    TokenSource tokens =
        TokenSource.fixed(new AccessGrant("any-token", "https://sim.my.salesforce.com", TENANT));
    PubSubClient client =
        new PubSubClient(
            new PubSubEndpoint("localhost", port, certificate),
            () -> tokens.current().credentials());
    return new SpooledAlertSink(
        "salesforce[0]",
        dir.resolve(spool),
        AlertJson::toJson,
        DrillPolicy.SKIP,
        false,
        new PlatformEventTransport(client, tokens, topic, Clock.systemUTC()),
        new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)));
  }

  private static GenericRecord decode(TopicLog log, int index) throws Exception {
    byte[] payload = log.at(index).getEvent().getPayload().toByteArray();
    return new GenericDatumReader<GenericRecord>(ALERT_EVENT)
        .read(null, DecoderFactory.get().binaryDecoder(payload, null));
  }

  @Test
  void anAlertBecomesAPlatformEventEncodedWithTheTopicsSchema() throws Exception {
    try (PubSubServer server = server(0);
        SpooledAlertSink sink = sink(server.port(), server.certificate(), TOPIC, "spool")) {
      sink.accept(alert("a1"));
      sink.accept(alert("a1"));
      sink.accept(alert("a2").toBuilder().revision(2).build());
      TopicLog log = server.topic(TOPIC);
      TestSupport.await(() -> log.endIndex() == 2, "two events published");
      assertTrue(sink.awaitDrained(Duration.ofSeconds(30)));
      GenericRecord first = decode(log, 0);
      assertEquals("a1", first.get("Alert_Id__c").toString());
      assertEquals("LW-008", first.get("Rule_Id__c").toString());
      assertEquals("high", first.get("Severity__c").toString());
      assertEquals("0055f000003TeLeAAA", first.get("Principal_Id__c").toString());
      assertEquals("Contact", first.get("Objects__c").toString());
      assertEquals(5_000.0, first.get("Count__c"));
      assertEquals(T0 + 2_000, first.get("Detected_At__c"));
      assertEquals(false, first.get("Drill__c"));
      assertEquals(null, first.get("Note__c"), "a field Leakwatch does not know stays null");
      GenericRecord second = decode(log, 1);
      assertEquals("a2#2", second.get("Delivery_Key__c").toString());
      assertEquals(2.0, second.get("Revision__c"));
      assertEquals(log.schemaId(), log.at(0).getEvent().getSchemaId());
      assertEquals(2, sink.stats().delivered());
    }
  }

  @Test
  void aPerEventPublishErrorIsDeadLetteredWithSalesforcesReason() throws Exception {
    try (PubSubServer server = server(0);
        SpooledAlertSink sink =
            sink(server.port(), server.certificate(), EventSchemas.API, "spool-readonly")) {
      sink.accept(alert("r1"));
      assertTrue(sink.awaitDrained(Duration.ofSeconds(30)));
      List<String> dead = Files.readAllLines(sink.deadLetterFile());
      assertEquals(1, dead.size());
      JsonNode letter = new ObjectMapper().readTree(dead.get(0));
      assertEquals("r1", letter.get("deliveryKey").asText());
      assertTrue(
          letter.get("reason").asText().contains("PUBLISH")
              && letter.get("reason").asText().contains("read-only"),
          letter.toString());
      assertEquals(0, server.topic(EventSchemas.API).endIndex());
    }
  }

  @Test
  void whileTheServerIsDownAlertsWaitInTheSpoolAndArePublishedWhenItReturns() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Path certificate;
    try (PubSubServer first = server(port)) {
      certificate = first.certificate();
    }
    try (SpooledAlertSink sink = sink(port, certificate, TOPIC, "spool-down")) {
      sink.accept(alert("d1"));
      sink.accept(alert("d2"));
      TestSupport.await(
          () -> sink.stats().retries() >= 2, "failed attempts while the server is down");
      assertEquals(2, sink.pending());
      assertTrue(sink.stats().lastFailure().contains("UNAVAILABLE"), sink.stats().lastFailure());
      try (PubSubServer again = server(port)) {
        assertTrue(
            sink.awaitDrained(Duration.ofSeconds(60)),
            "delivered after the server came back: " + sink.stats());
        assertEquals(
            List.of("d1", "d2"),
            List.of(
                decode(again.topic(TOPIC), 0).get("Alert_Id__c").toString(),
                decode(again.topic(TOPIC), 1).get("Alert_Id__c").toString()));
      }
    }
  }
}
