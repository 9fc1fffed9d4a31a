package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.logs.LogSetup;
import io.leakwatch.rulepack.TestPacks;
import io.leakwatch.sim.TestSupport;
import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The {@code run} command's service against two simulated orgs over gRPC/TLS, watched through its
 * HTTPS API as an operator would: readiness that follows the subscriptions, metrics per org,
 * alerts, rules reload; and the configuration errors that stop it with exit code 2.
 */
class RunServiceTest {
  private static final String API_TOKEN = "api-token-for-the-test-0123456789";
  private static final String SF_TOKEN = "sf-access-token-never-logged-42";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate DAY = LocalDate.of(2026, 3, 10);

  @TempDir Path dir;
  private PubSubServer north;
  private PubSubServer south;
  private SimulatedOrg northOrg;
  private SimulatedOrg southOrg;
  private SelfSignedCertificate apiCert;

  @BeforeEach
  void start() throws Exception {
    northOrg = SimulatedOrg.generate(31, 40);
    southOrg = SimulatedOrg.generate(32, 40);
    north =
        PubSubServer.start(
            PubSubServer.Settings.defaults(northOrg.orgId(), dir.resolve("north-tls"))
                .withTimers(Duration.ofMillis(200), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            1);
    south =
        PubSubServer.start(
            PubSubServer.Settings.defaults(southOrg.orgId(), dir.resolve("south-tls"))
                .withTimers(Duration.ofMillis(200), Duration.ofSeconds(60)),
            EventSchemas.standard().byTopic(),
            1);
    Files.writeString(dir.resolve("north-profile.yaml"), northOrg.profileYaml());
    Files.writeString(dir.resolve("south-profile.yaml"), southOrg.profileYaml());
    TestPacks.copyDefaultPack(dir.resolve("south-rules"));
    apiCert = SelfSignedCertificate.generate(dir.resolve("api-tls"));
  }

  @AfterEach
  void stop() throws Exception {
    north.close();
    south.close();
    // Back to the readable console logging the other tests expect.
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  /** The value of one series on a /metrics page (Prometheus text; numbers in any float form). */
  private static double sample(String page, String series) {
    for (String line : page.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no series " + series + " in\n" + page);
  }

  private String config() {
    return """
        orgs:
          - name: north
            endpoint: {host: localhost, port: %d, trustCertificate: north-tls/simulator-cert.pem}
            auth: {accessToken: '${SF_TOKEN}', instanceUrl: %s, tenantId: %s}
            topics: [/event/ApiEventStream, /event/LoginEventStream]
            replay: earliest
            profile: north-profile.yaml
          - name: south
            endpoint: {host: localhost, port: %d, trustCertificate: south-tls/simulator-cert.pem}
            auth: {accessToken: '${SF_TOKEN}', instanceUrl: %s, tenantId: %s}
            topics: [/event/ApiEventStream]
            replay: earliest
            profile: south-profile.yaml
            rules: south-rules
        alerts: {console: false, jsonl: alerts.jsonl}
        api:
          port: 0
          tokens: ['${API_TOKEN}']
          tls: {cert: api-tls/simulator-cert.pem, key: api-tls/simulator-key.pem}
        deadLetters: dead-letters.jsonl
        state: state
        """
        .formatted(
            north.port(),
            northOrg.instanceUrl(),
            northOrg.orgId(),
            south.port(),
            southOrg.instanceUrl(),
            southOrg.orgId());
  }

  private static final Map<String, String> ENV =
      Map.of("SF_TOKEN", SF_TOKEN, "API_TOKEN", API_TOKEN);

  /** Over HTTPS, trusting exactly the API's certificate. */
  private record Api(HttpClient http, String base) {
    HttpResponse<String> get(String path, String token) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET();
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws Exception {
      return http.send(
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(120))
              .header("Authorization", "Bearer " + API_TOKEN)
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    int status(String path) {
      try {
        return get(path, API_TOKEN).statusCode();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  private static void publish(PubSubServer server, SimEvent event) {
    server.publish(event.topic(), event.eventIdentifier(), EventSchemas.encode(event.record()));
  }

  @Test
  void twoOrgsRunSideBySideAndTheApiShowsEachOfThem() throws Exception {
    Path logFile = dir.resolve("leakwatch.log");
    LogSetup.json(logFile);
    Files.writeString(dir.resolve("leakwatch.yaml"), config());
    EngineConfig config = EngineConfig.load(dir.resolve("leakwatch.yaml"), ENV);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (RunCommand.Service service =
        RunCommand.Service.start(
            config, new PrintStream(console, true, StandardCharsets.UTF_8), null)) {
      Api api =
          new Api(
              TrustedCertificates.httpClient(apiCert.certificate()),
              "https://localhost:" + service.api().port());
      assertEquals(
          401, api.get("/metrics", null).statusCode(), "TLS on, and still no token, no metrics");
      assertEquals(401, api.get("/health", "wrong-token-0123456789abcdef").statusCode());
      TestSupport.await(() -> api.status("/ready") == 200, "every subscription of both orgs live");

      // A person reads 180 patient rows in three minutes in the north org; the south org sees 20.
      EventFactory make = new EventFactory(new Random(3), null);
      SimUser northUser = northOrg.people(Role.SCHEDULER).get(0);
      for (int i = 0; i < 3; i++) {
        publish(
            north,
            make.apiQuery(
                TrafficGenerator.millis(DAY, LocalTime.of(10, i)),
                northUser,
                northUser.ip(),
                "s",
                "REST",
                "Clinic Desktop",
                null,
                "SELECT Id FROM Contact",
                "Contact",
                60));
      }
      SimUser southUser = southOrg.people(Role.SCHEDULER).get(0);
      publish(
          south,
          make.apiQuery(
              TrafficGenerator.millis(DAY, LocalTime.of(10, 0)),
              southUser,
              southUser.ip(),
              "s",
              "REST",
              "Clinic Desktop",
              null,
              "SELECT Id FROM Contact",
              "Contact",
              20));
      TestSupport.await(
          () ->
              service.fleet().engine("north").processed() >= 3
                  && service.fleet().engine("south").processed() >= 1,
          "events processed in both orgs");

      String metrics = api.get("/metrics", API_TOKEN).body();
      assertEquals(
          3,
          sample(
              metrics,
              "leakwatch_events_received_total{org=\"north\",topic=\"/event/ApiEventStream\"}"),
          metrics);
      assertEquals(
          3,
          sample(
              metrics,
              "leakwatch_events_decoded_total{org=\"north\",topic=\"/event/ApiEventStream\"}"),
          metrics);
      assertEquals(
          1,
          sample(
              metrics,
              "leakwatch_events_received_total{org=\"south\",topic=\"/event/ApiEventStream\"}"),
          metrics);
      assertEquals(
          1, sample(metrics, "leakwatch_alerts_total{org=\"north\",rule=\"LW-001\"}"), metrics);
      assertEquals(
          0,
          sample(metrics, "leakwatch_alerts_total{org=\"south\",rule=\"LW-001\"}"),
          "20 rows is no alert");
      assertEquals(
          1,
          sample(
              metrics,
              "leakwatch_subscription_live{org=\"south\",topic=\"/event/ApiEventStream\"}"),
          metrics);
      assertEquals(
          3, sample(metrics, "leakwatch_event_processing_seconds_count{org=\"north\"}"), metrics);
      assertTrue(
          metrics.contains(
              "leakwatch_subscription_lag_seconds{org=\"north\",topic=\"/event/ApiEventStream\"} "),
          metrics);
      TestSupport.await(
          () -> {
            try {
              return api.get("/metrics", API_TOKEN)
                  .body()
                  .contains("leakwatch_checkpoint_age_seconds{org=\"north\"} ");
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          },
          "the north org's first checkpoint save");

      TestSupport.await(
          () -> {
            try {
              return JSON.readTree(api.get("/alerts?rule=LW-001", API_TOKEN).body())
                      .get("alerts")
                      .size()
                  == 1;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          },
          "the bulk read alert in /alerts");
      JsonNode alert =
          JSON.readTree(api.get("/alerts?rule=LW-001", API_TOKEN).body()).at("/alerts/0");
      assertEquals("north", alert.get("org").asText());
      assertEquals(northUser.id(), alert.get("principal").asText());
      assertEquals(
          0, JSON.readTree(api.get("/alerts?org=south", API_TOKEN).body()).get("alerts").size());

      // The south org's streams drop and its server refuses to let them back: not ready, and it
      // says which.
      south.acceptTokens(token -> false);
      south.dropStreams(Status.UNAVAILABLE);
      TestSupport.await(
          () -> api.status("/ready") == 503, "/ready to notice the dropped subscription");
      JsonNode notReady = JSON.readTree(api.get("/ready", API_TOKEN).body());
      assertEquals("[\"south /event/ApiEventStream\"]", notReady.get("notLive").toString());
      assertEquals(200, api.status("/health"), "the process itself is up");
      south.acceptTokens(token -> true);
      TestSupport.await(() -> api.status("/ready") == 200, "/ready once the subscription is back");
      assertTrue(
          api.get("/metrics", API_TOKEN)
              .body()
              .contains(
                  "leakwatch_subscription_reconnects_total{org=\"south\",topic=\"/event/ApiEventStream\"} "));

      // Rules: a good edit reloads, a broken one is refused with file and line and the rules stay.
      JsonNode rules = JSON.readTree(api.get("/rules", API_TOKEN).body());
      assertEquals("leakwatch-default", rules.at("/orgs/1/pack/name").asText());
      assertEquals(19, rules.at("/orgs/1/pack/rules").size());
      Path packYaml = dir.resolve("south-rules/pack.yaml");
      Files.writeString(
          packYaml, Files.readString(packYaml).replace("version: 0.1.0", "version: 0.2.0"));
      HttpResponse<String> good = api.post("/rules/south/reload");
      assertEquals(200, good.statusCode(), good.body());
      assertEquals("0.2.0", service.fleet().engine("south").activePack().version());
      Path epl = dir.resolve("south-rules/bulk-phi-read/detect.epl");
      Files.writeString(epl, "select broken from");
      HttpResponse<String> broken = api.post("/rules/south/reload");
      assertEquals(422, broken.statusCode(), broken.body());
      assertTrue(broken.body().contains("detect.epl"), broken.body());
      assertEquals("0.2.0", service.fleet().engine("south").activePack().version());
      assertEquals(
          409, api.post("/rules/north/reload").statusCode(), "north runs the built-in pack");

      // The container's HEALTHCHECK: the health command with the configured token and certificate.
      healthUrl = "https://localhost:" + service.api().port() + "/health";
      assertEquals(0, health(healthUrl), "health answers 200 while running");
    }
    assertEquals(1, health(healthUrl), "and fails once the process is gone");
    assertTrue(
        Files.exists(dir.resolve("state/north/checkpoint.json")),
        "each org checkpoints in its own folder");
    assertTrue(Files.exists(dir.resolve("state/south/checkpoint.json")));
    assertEquals(
        1,
        Files.readAllLines(dir.resolve("alerts.jsonl")).size(),
        "both orgs deliver to the shared sink");

    List<String> logLines = Files.readAllLines(logFile);
    assertFalse(logLines.isEmpty());
    boolean orgTagged = false;
    for (String line : logLines) {
      JsonNode entry = JSON.readTree(line);
      assertTrue(
          entry.hasNonNull("time")
              && entry.hasNonNull("level")
              && entry.hasNonNull("logger")
              && entry.has("message"),
          line);
      orgTagged |= "south".equals(entry.path("org").asText());
      assertFalse(
          line.contains(SF_TOKEN) || line.contains(API_TOKEN), "no secret in a log line: " + line);
    }
    assertTrue(orgTagged, "lines about one org carry its name: " + logLines);
  }

  private String healthUrl;

  private int health(String url) throws Exception {
    Path literal = dir.resolve("literal.yaml");
    Files.writeString(
        literal, config().replace("${SF_TOKEN}", SF_TOKEN).replace("${API_TOKEN}", API_TOKEN));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        Leakwatch.execute(
            List.of("health", "--config", literal.toString(), "--url", url),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    assertFalse(out.toString(StandardCharsets.UTF_8).contains(API_TOKEN));
    return exit;
  }

  @Test
  void configCheckSummarizesWithoutSecretsAndBadConfigsExitWithTwo() throws Exception {
    Files.writeString(
        dir.resolve("leakwatch.yaml"),
        config().replace("${SF_TOKEN}", SF_TOKEN).replace("${API_TOKEN}", API_TOKEN));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Leakwatch.execute(
            List.of("config", "check", dir.resolve("leakwatch.yaml").toString()),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.contains("OK, 2 orgs"), printed);
    assertTrue(printed.contains("org north: localhost:" + north.port()), printed);
    assertTrue(printed.contains("rules: " + dir.resolve("south-rules")), printed);
    assertTrue(printed.contains("compiles"), printed);
    assertFalse(
        printed.contains(SF_TOKEN) || printed.contains(API_TOKEN),
        "config check never prints a secret");

    Files.writeString(
        dir.resolve("bad.yaml"),
        Files.readString(dir.resolve("leakwatch.yaml")).replace("port: 0", "port: http"));
    for (String command : List.of("config check", "run --config")) {
      List<String> argv = new java.util.ArrayList<>(List.of(command.split(" ")));
      argv.add(dir.resolve("bad.yaml").toString());
      ByteArrayOutputStream badErr = new ByteArrayOutputStream();
      int bad =
          Leakwatch.execute(
              argv,
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              new PrintStream(badErr, true, StandardCharsets.UTF_8));
      assertEquals(2, bad, command);
      assertEquals(
          "leakwatch: "
              + dir.resolve("bad.yaml")
              + ": api.port: must be a whole number from 0 to 65535\n",
          badErr.toString(StandardCharsets.UTF_8),
          command);
    }

    Path rules = dir.resolve("south-rules/bulk-phi-read/detect.epl");
    Files.writeString(rules, "select broken from");
    ByteArrayOutputStream brokenErr = new ByteArrayOutputStream();
    assertEquals(
        2,
        Leakwatch.execute(
            List.of("config", "check", dir.resolve("leakwatch.yaml").toString()),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(brokenErr, true, StandardCharsets.UTF_8)));
    assertTrue(
        brokenErr.toString(StandardCharsets.UTF_8).contains("detect.epl"),
        brokenErr.toString(StandardCharsets.UTF_8));
  }
}
