package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.sun.net.httpserver.HttpServer;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.logs.LogSetup;
import io.leakwatch.sim.TestSupport;
import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimIntegration;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Canary patient data planted in simulated events (SOQL literals, a report's name, a mangled
 * payload) must never come out of Leakwatch: not in logs, alerts, sink payloads (file, OCSF,
 * webhook, Slack, syslog), dead letters, the response audit log, state files or the HTTP API.
 */
class CanaryPhiTest {
  private static final String NAME = "Quenby Zanzibar-Canary";
  private static final String SSN = "078-05-1120";
  private static final List<String> CANARIES =
      List.of(NAME, "Zanzibar-Canary", "Quenby", SSN, "078051120", "1977-04-09");
  private static final String API_TOKEN = "api-token-for-the-canary-0123456789";
  private static final String HOOK_SECRET = "webhook-secret-for-the-canary-42";
  private static final LocalDate DAY = LocalDate.of(2026, 3, 10);

  @TempDir Path dir;

  @AfterEach
  void resetLogging() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void noCanaryPatientValueLeavesLeakwatch() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(41, 60);
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            received.add(
                exchange.getRequestURI()
                    + " "
                    + exchange.getRequestHeaders()
                    + " "
                    + new String(body.readAllBytes(), StandardCharsets.UTF_8));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    ByteArrayOutputStream syslog = new ByteArrayOutputStream();
    ServerSocket syslogServer = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
    Thread syslogReader =
        new Thread(
            () -> {
              try (Socket socket = syslogServer.accept();
                  InputStream in = socket.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0; ) {
                  synchronized (syslog) {
                    syslog.write(buffer, 0, n);
                  }
                }
              } catch (Exception ignored) {
                // the test closes the socket
              }
            },
            "canary-syslog");
    syslogReader.start();
    SelfSignedCertificate apiCert = SelfSignedCertificate.generate(dir.resolve("api-tls"));
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
    Path logFile = dir.resolve("leakwatch.log");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (PubSubServer server =
        PubSubServer.start(
            PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"))
                .withTimers(Duration.ofMillis(200), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            1)) {
      Files.writeString(
          dir.resolve("leakwatch.yaml"),
          """
          orgs:
            - name: clinic
              endpoint: {host: localhost, port: %d, trustCertificate: tls/simulator-cert.pem}
              auth: {accessToken: sf-token-0123456789, instanceUrl: %s, tenantId: %s}
              topics: [/event/ApiEventStream, /event/ReportEventStream, /event/LoginEventStream]
              replay: earliest
              profile: profile.yaml
              response: {mode: dryRun, auditLog: state/response-audit.jsonl}
          alerts:
            console: true
            files: [{path: out/alerts.jsonl}]
            ocsf: [{path: out/ocsf.jsonl}]
            webhooks: [{url: 'http://127.0.0.1:%d/hook', secret: '${HOOK_SECRET}', spool: spool/hook}]
            slack: [{url: 'http://127.0.0.1:%d/slack', spool: spool/slack}]
            syslog: [{host: 127.0.0.1, port: %d, tls: false, spool: spool/syslog}]
          api:
            port: 0
            tokens: ['${API_TOKEN}']
            tls: {cert: api-tls/simulator-cert.pem, key: api-tls/simulator-key.pem}
          deadLetters: out/dead-letters.jsonl
          state: state
          """
              .formatted(
                  server.port(),
                  org.instanceUrl(),
                  org.orgId(),
                  receiver.getAddress().getPort(),
                  receiver.getAddress().getPort(),
                  syslogServer.getLocalPort()));
      LogSetup.json(logFile);
      EngineConfig config =
          EngineConfig.load(
              dir.resolve("leakwatch.yaml"),
              Map.of("HOOK_SECRET", HOOK_SECRET, "API_TOKEN", API_TOKEN));
      try (RunCommand.Service service =
          RunCommand.Service.start(
              config, new PrintStream(console, true, StandardCharsets.UTF_8), null)) {
        HttpClient http = TrustedCertificates.httpClient(apiCert.certificate());
        String api = "https://localhost:" + service.api().port();
        TestSupport.await(() -> get(http, api + "/ready").statusCode() == 200, "the subscriptions");

        List<SimEvent> planted = plant(org);
        for (SimEvent event : planted) {
          byte[] payload = EventSchemas.encode(event.record());
          assertTrue(
              new String(payload, StandardCharsets.ISO_8859_1).contains(NAME)
                  || event.record().toString().contains(SSN)
                  || event.record().toString().contains(NAME),
              "the canary is really in the event");
          server.publish(event.topic(), event.eventIdentifier(), payload);
        }
        // A mangled payload carrying the canary: dead-lettered, and the dead letter must not carry
        // it.
        byte[] mangled = ("\u0002garbage " + NAME + " " + SSN).getBytes(StandardCharsets.UTF_8);
        server.publishRaw(
            EventSchemas.API,
            "canary-mangled",
            EventSchemas.standard().schemaId(EventSchemas.API),
            mangled);
        TestSupport.await(
            () -> service.fleet().engine("clinic").processed() >= planted.size() + 1,
            "every event processed");
        TestSupport.await(
            () ->
                Files.exists(dir.resolve("out/alerts.jsonl"))
                    && lines(dir.resolve("out/alerts.jsonl")) >= 3,
            "alerts of LW-001, LW-007 and LW-011");
        TestSupport.await(
            () ->
                received.stream().filter(r -> r.startsWith("/hook")).count() >= 3
                    && received.stream().anyMatch(r -> r.startsWith("/slack")),
            "the webhook and Slack deliveries");
        TestSupport.await(
            () -> {
              synchronized (syslog) {
                return syslog.toString(StandardCharsets.UTF_8).contains("LW-011");
              }
            },
            "the syslog deliveries");

        String alerts = Files.readString(dir.resolve("out/alerts.jsonl"));
        for (String rule : List.of("LW-001", "LW-007", "LW-011")) {
          assertTrue(
              alerts.contains("\"" + rule + "\""),
              rule + " fired, so the check below is not vacuous: " + alerts);
        }
        List<String> outputs = new ArrayList<>();
        for (String path : List.of("/alerts", "/metrics", "/rules", "/actions", "/ready")) {
          outputs.add("API " + path + ": " + get(http, api + path).body());
        }
        outputs.addAll(received);
        outputs.add("console: " + console.toString(StandardCharsets.UTF_8));
        synchronized (syslog) {
          outputs.add("syslog: " + syslog.toString(StandardCharsets.UTF_8));
        }
        assertNoCanary(outputs);
      }
    } finally {
      receiver.stop(0);
      syslogServer.close();
    }
    List<String> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path file :
          all.filter(Files::isRegularFile).filter(f -> !f.toString().contains("tls")).toList()) {
        files.add(
            dir.relativize(file)
                + ": "
                + new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
      }
    }
    assertTrue(
        files.stream().anyMatch(f -> f.startsWith("leakwatch.log")), "the JSON log was written");
    assertTrue(
        files.stream()
            .anyMatch(f -> f.startsWith("out/dead-letters") && f.contains("canary-mangled")),
        "dead-lettered");
    assertTrue(
        files.stream().anyMatch(f -> f.startsWith("state/response-audit.jsonl")),
        "response actions were audited");
    files.removeIf(f -> f.startsWith("leakwatch.yaml") || f.startsWith("profile.yaml"));
    assertNoCanary(files);
  }

  /**
   * A bulk read, a report export and an integration's over-fetch, each with patient values in it.
   */
  private static List<SimEvent> plant(SimulatedOrg org) {
    EventFactory make = new EventFactory(new Random(5), null);
    SimUser scheduler = org.people(Role.SCHEDULER).get(0);
    SimUser clinician = org.people(Role.CLINICIAN).get(1);
    SimIntegration telehealth = org.integration("telehealth");
    String lookup =
        "SELECT Id, Name, Birthdate, SSN__c FROM Contact WHERE Name = '"
            + NAME
            + "' OR SSN__c = '"
            + SSN
            + "' OR Birthdate = 1977-04-09";
    List<SimEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(
          make.apiQuery(
              TrafficGenerator.millis(DAY, LocalTime.of(10, i)),
              scheduler,
              scheduler.ip(),
              "s1",
              "REST",
              "python-requests",
              null,
              lookup,
              "Contact",
              150));
    }
    events.add(
        make.report(
            TrafficGenerator.millis(DAY, LocalTime.of(11, 0)),
            clinician,
            clinician.ip(),
            "s2",
            "00O000000000001",
            "Chart of " + NAME + " " + SSN,
            "Contact.Name,Contact.Birthdate",
            "Contact",
            2_000,
            "CSV"));
    events.add(
        make.apiQuery(
            TrafficGenerator.millis(DAY, LocalTime.of(12, 0)),
            telehealth.user(),
            telehealth.egressIp(),
            "s3",
            "REST",
            telehealth.appName(),
            telehealth.connectedAppId(),
            lookup,
            "Contact",
            1));
    return events;
  }

  private static void assertNoCanary(List<String> outputs) {
    for (String output : outputs) {
      String lower = output.toLowerCase(Locale.ROOT);
      for (String canary : CANARIES) {
        assertFalse(
            lower.contains(canary.toLowerCase(Locale.ROOT)),
            "canary '"
                + canary
                + "' leaked: "
                + output.substring(0, Math.min(output.length(), 2_000)));
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url))
              .header("Authorization", "Bearer " + API_TOKEN)
              .timeout(Duration.ofSeconds(60))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long lines(Path file) {
    try {
      return Files.readAllLines(file).size();
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
