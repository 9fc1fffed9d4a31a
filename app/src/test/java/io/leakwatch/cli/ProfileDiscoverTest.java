package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.Integration;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PayloadDecoder;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import io.leakwatch.pubsub.SchemaCache;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.OrgMetadata;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.org.StoredEvents;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end proof of {@code profile discover}: against the simulator's REST API for the
 * simulated org (its setup and 30 days of stored events, over HTTPS), discovery writes a profile
 * that, used by the detection pipeline on the demo's day, detects every scenario with no false
 * positive; and it equals the hand-written profile on every field that drives detection.
 */
class ProfileDiscoverTest {
  static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  static final String TOKEN = "discovery-token";

  /** Days of stored events read: two weeks hold every integration's weekday and weekend. */
  static final int DAYS = 14;

  @TempDir static Path dir;
  static SimulatedOrg org;
  static RestApiServer rest;
  static SelfSignedCertificate restTls;
  static PubSubServer pubsub;
  static Path config;
  static Path profileFile;
  static String output;
  static int exit;

  @BeforeAll
  static void discover() throws Exception {
    org = SimulatedOrg.generate(7, 300);
    rest =
        RestApiServer.start(
                restTls = SelfSignedCertificate.generate(dir.resolve("rest-tls")), TOKEN::equals)
            .servingOrg(org.orgId(), OrgMetadata.of(org), new StoredEvents(org, DAY, 30));
    // One channel is not enabled for streaming: GetTopic answers as for a missing topic.
    Map<String, Schema> topics = new HashMap<>(EventSchemas.standard().byTopic());
    topics.remove(EventSchemas.LOGIN_AS);
    pubsub =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls")), topics, 1L);
    Files.writeString(dir.resolve("placeholder-profile.yaml"), "");
    config = dir.resolve("leakwatch.yaml");
    Files.writeString(config, config(rest.url(), "placeholder-profile.yaml"));
    profileFile = dir.resolve("discovered/org-profile.yaml");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    exit =
        Leakwatch.execute(
            List.of(
                "profile",
                "discover",
                "--config",
                config.toString(),
                "--org",
                "sim",
                "--out",
                profileFile.toString(),
                "--days",
                String.valueOf(DAYS)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    output = out.toString(StandardCharsets.UTF_8);
    System.out.println(output);
  }

  static String config(String restUrl, String profile) {
    return """
        orgs:
          - name: sim
            endpoint: {host: localhost, port: %d, trustCertificate: %s}
            auth: {accessToken: %s, instanceUrl: "%s", tenantId: %s}
            topics: [/event/ApiEventStream, /event/LoginEventStream, /event/LoginAsEventStream]
            profile: %s
            loginHistory: {trustCertificate: %s}
        alerts: {console: false}
        """
        .formatted(
            pubsub.port(),
            pubsub.certificate().toAbsolutePath(),
            TOKEN,
            restUrl,
            org.orgId(),
            profile,
            restTls.certificate().toAbsolutePath());
  }

  @AfterAll
  static void stop() throws Exception {
    rest.close();
    pubsub.close();
  }

  @Test
  void writesAProfileTheEngineLoadsAndSaysWhatItFound() {
    assertEquals(0, exit, output);
    OrgProfile profile = OrgProfileLoader.load(profileFile);
    assertEquals(org.orgId(), profile.orgId());
    assertTrue(output.contains("integration telehealth-visits"), output);
    assertTrue(output.contains("topics (GetTopic): 2 of 3 ready"), output);
    assertTrue(output.contains("/event/LoginAsEventStream: not enabled"), output);
    assertTrue(output.contains("Setup > Event Manager > LoginAsEvent > Enable Streaming"), output);
    assertTrue(Files.exists(profileFile.resolveSibling("org-profile.discovery.json")));
  }

  @Test
  void theDiscoveredProfileDetectsEveryScenarioWithNoFalsePositive() {
    OrgProfile profile = OrgProfileLoader.load(profileFile);
    Scenarios.Timeline timeline = Scenarios.day(org, DAY, Scenarios.all());
    List<Alert> alerts = run(profile, timeline.events());
    ScenarioOutcome outcome = ScenarioOutcome.match(timeline.injected(), alerts);
    assertTrue(
        outcome.allDetected(),
        "missed: "
            + outcome.results().stream()
                .filter(r -> !r.detected())
                .map(r -> r.scenario().id())
                .toList());
    assertEquals(
        List.of(),
        outcome.unexplained().stream()
            .map(a -> a.ruleId() + " " + a.principal() + " " + a.reasons())
            .toList(),
        "false positives");
  }

  @Test
  void equalsTheHandWrittenProfileOnEveryFieldThatDrivesDetection() {
    OrgProfile discovered = OrgProfileLoader.load(profileFile);
    OrgProfile written = OrgProfileLoader.parse(org.profileYaml(), "hand-written");
    assertEquals(written.timeZone(), discovered.timeZone());
    assertEquals(written.businessHours(), discovered.businessHours());
    assertEquals(written.businessDays(), discovered.businessDays());
    assertEquals(written.phiObjects(), discovered.phiObjects());
    assertEquals(written.phiFields(), discovered.phiFields());
    assertEquals(written.bulkReadThreshold(), discovered.bulkReadThreshold());
    assertEquals(
        written.trustedNetworks().stream().map(Object::toString).collect(Collectors.toSet()),
        discovered.trustedNetworks().stream().map(Object::toString).collect(Collectors.toSet()));
    assertEquals(written.integrations().size(), discovered.integrations().size());
    for (Integration w : written.integrations()) {
      Integration d =
          discovered.integrations().stream()
              .filter(i -> i.userIds().equals(w.userIds()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("integration " + w.name() + " not found"));
      assertEquals(w.connectedAppIds(), d.connectedAppIds(), w.name());
      assertEquals(phi(w.objects(), written), phi(d.objects(), written), w.name() + " objects");
      assertEquals(w.fields(), d.fields(), w.name() + " fields");
      // Observed proposals with headroom: never narrower than what it was declared to do, except
      // where the declaration was "any hour" (the portal) and the history shows idle nights.
      if (w.runWindow().start().equals(w.runWindow().end())) {
        // Patients use the portal 06:00-23:00 (TrafficGenerator): all of that, an hour's margin.
        for (int hour = 5; hour <= 23; hour++) {
          assertTrue(d.runWindow().contains(java.time.LocalTime.of(hour, 0)), w.name() + hour);
        }
        continue;
      }
      for (int minute = 0; minute < 24 * 60; minute += 15) {
        var time = java.time.LocalTime.of(minute / 60, minute % 60);
        if (w.runWindow().contains(time)) {
          assertTrue(d.runWindow().contains(time), w.name() + " window at " + time);
        }
      }
      assertTrue(d.maxRowsPer5Min() > 0, w.name());
      assertFalse(d.downloadsFiles());
    }
  }

  @Test
  void nothingWrittenOrPrintedHoldsAPatientValue() throws Exception {
    // The stored ApiEvents' queries name patients in their literals; none may survive discovery.
    Set<String> names = new java.util.HashSet<>();
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < 2_000; i++) {
      names.add(io.leakwatch.sim.traffic.PatientNames.lastName(random));
    }
    String written =
        Files.readString(profileFile)
            + Files.readString(profileFile.resolveSibling("org-profile.discovery.json"))
            + output;
    for (String name : names) {
      assertFalse(written.contains(name), "a patient's name in the output: " + name);
    }
    assertFalse(written.contains("WHERE"), "a query's text in the output");
    assertFalse(written.contains(TOKEN), "the token in the output");
  }

  private static Set<String> phi(Set<String> objects, OrgProfile profile) {
    return objects.stream().filter(profile.phiObjects()::contains).collect(Collectors.toSet());
  }

  private static List<Alert> run(OrgProfile profile, List<SimEvent> events) {
    EventSchemas schemas = EventSchemas.standard();
    PayloadDecoder decoder = new PayloadDecoder(new SchemaCache(id -> schemas.byId(id).toString()));
    List<Alert> alerts = new ArrayList<>();
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            RulePackLoader.defaultPack(),
            profile,
            new DetectionPipeline.Options(0, false, io.leakwatch.engine.DeadLetters.none()))) {
      long replay = 0;
      for (SimEvent event : events) {
        String schemaId = schemas.schemaId(event.topic());
        ReceivedEvent received =
            new ReceivedEvent(
                event.topic(),
                ReplayId.fromHex(String.format("%016x", ++replay)),
                event.eventIdentifier(),
                schemaId,
                decoder.decode(schemaId, EventSchemas.encode(event.record())),
                null,
                System.nanoTime());
        alerts.addAll(pipeline.process(received, 0));
      }
      alerts.addAll(
          pipeline.advanceTo(
              events.get(events.size() - 1).eventDate() + Duration.ofHours(2).toMillis()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return alerts;
  }
}
