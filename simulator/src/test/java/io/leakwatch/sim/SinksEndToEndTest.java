package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import io.leakwatch.alert.AlertSink;
import io.leakwatch.alert.SinkConfig;
import io.leakwatch.alert.SpooledAlertSink;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DeadLetters;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.TopicLog;
import io.leakwatch.sim.traffic.EventSchemas;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine detecting the simulated org's leaks with sinks built from YAML: a signed webhook to a
 * real HTTP server, an OCSF file, and platform events published back into the simulated org. Every
 * sink ends up with exactly the alerts the engine delivered, in the same order.
 */
class SinksEndToEndTest {
  private static final String TOPIC = "/event/Leakwatch_Alert__e";

  @TempDir Path dir;

  @Test
  void everySinkGetsEveryAlertOnceInOrder() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(5, 200);
    Scenarios.Timeline timeline = Scenarios.day(org, LocalDate.of(2026, 3, 10), Scenarios.all());
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
    List<String> posted = new CopyOnWriteArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          posted.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
    List<Alert> delivered = new ArrayList<>();
    try (PubSubServer server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                .withTimers(Duration.ofMillis(200), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            Map.of(TOPIC, AlertPublishTest.ALERT_EVENT),
            1_000)) {
      String yaml =
          """
          console: false
          ocsf: [{path: out/findings.jsonl}]
          webhooks:
            - {url: 'http://127.0.0.1:%d/hook', secret: '${HOOK_SECRET}', spool: spool/hook, retry: {initialMillis: 20, maxMillis: 200}}
          salesforce:
            - endpoint: {host: localhost, port: %d, trustCertificate: '%s'}
              auth:
                accessToken: ${SF_TOKEN}
                instanceUrl: %s
                tenantId: %s
              topic: %s
              spool: spool/salesforce
              retry: {initialMillis: 20, maxMillis: 200}
          """
              .formatted(
                  receiver.getAddress().getPort(),
                  server.port(),
                  server.certificate(),
                  org.instanceUrl(),
                  org.orgId(),
                  TOPIC);
      List<AlertSink> sinks =
          new ArrayList<>(
              SinkConfig.parse(
                  new ObjectMapper(new YAMLFactory()).readTree(yaml),
                  "e2e.yaml",
                  dir,
                  Map.of("HOOK_SECRET", "0123456789abcdef-e2e", "SF_TOKEN", "token")));
      sinks.add(
          alert -> {
            synchronized (delivered) {
              delivered.add(alert);
            }
          });
      try (LeakwatchEngine engine =
          LeakwatchEngine.start(
              TestSupport.engineOn(server, org, dir)
                  .sinks(sinks)
                  .deadLetters(DeadLetters.toFile(dir.resolve("dead-letters.jsonl")))
                  .durability(
                      new Durability(
                          dir.resolve("state"),
                          ReplayStart.earliest(),
                          Durability.DEFAULT_HORIZON_MILLIS,
                          Durability.DEFAULT_STALE_MILLIS,
                          false))
                  .build())) {
        new Playback(server, timeline.events(), timeline.events().size() / 4).run();
        TestSupport.await(
            () -> engine.processed() >= timeline.events().size(), "every event processed");
        engine.advanceClock(
            timeline.events().get(timeline.events().size() - 1).eventDate()
                + Duration.ofHours(2).toMillis());
        engine.drainAlerts();
        for (AlertSink sink : sinks) {
          if (sink instanceof SpooledAlertSink spooled) {
            assertTrue(
                spooled.awaitDrained(Duration.ofSeconds(60)),
                spooled.name() + " " + spooled.stats());
            assertEquals(0, spooled.stats().deadLettered(), spooled.name());
          }
        }
      }
      List<String> expected;
      synchronized (delivered) {
        expected = delivered.stream().map(Alert::deliveryKey).toList();
      }
      assertFalse(expected.isEmpty(), "the injected leaks raised alerts");
      assertEquals(expected, posted, "webhook");
      List<String> ocsf = new ArrayList<>();
      ObjectMapper json = new ObjectMapper();
      for (String line :
          Files.readAllLines(dir.resolve("out/findings.jsonl"), StandardCharsets.UTF_8)) {
        ocsf.add(json.readTree(line).path("metadata").path("uid").asText());
      }
      assertEquals(expected, ocsf, "OCSF file");
      TopicLog log = server.topic(TOPIC);
      List<String> published = new ArrayList<>();
      for (int i = 0; i < log.endIndex(); i++) {
        byte[] payload = log.at(i).getEvent().getPayload().toByteArray();
        GenericRecord record =
            new GenericDatumReader<GenericRecord>(AlertPublishTest.ALERT_EVENT)
                .read(null, DecoderFactory.get().binaryDecoder(payload, null));
        published.add(record.get("Delivery_Key__c").toString());
      }
      assertEquals(expected, published, "platform events");
    } finally {
      receiver.stop(0);
    }
  }
}
