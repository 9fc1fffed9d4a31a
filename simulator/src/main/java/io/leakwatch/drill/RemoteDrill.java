package io.leakwatch.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.alert.JsonLinesAlertSink;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.PipelineStats;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.Role;
import io.leakwatch.sim.org.SimUser;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.InjectedScenario;
import io.leakwatch.sim.scenario.ScenarioOutcome;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A drill against an engine that runs elsewhere (a container): this process serves the simulated
 * org as a Pub/Sub endpoint over TLS, the engine has it configured as a drill org ({@code drill:
 * true}, so its alerts page no one), and the drill reads the engine's alerts back through its HTTP
 * API.
 *
 * <p>The engine keeps state between drills (checkpoints, delivered alerts, learned history), so
 * each run is made new to it: event ids carry a run tag, and the simulated days start at least ten
 * days after the previous drill's (event time only moves forward). The home folder keeps the
 * simulator's certificate, the org profile the engine should load and the last drill date.
 */
public final class RemoteDrill implements Drill.Runner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RECEIVED =
      Pattern.compile(
          "^leakwatch_events_received_total\\{org=\"([^\"]*)\",topic=\"([^\"]*)\"} (\\S+)",
          Pattern.MULTILINE);
  private static final Pattern DEAD =
      Pattern.compile(
          "^leakwatch_events_dead_lettered_total\\{org=\"([^\"]*)\",topic=\"([^\"]*)\"} (\\S+)",
          Pattern.MULTILINE);

  /**
   * A user no org has: the clock tick at the end of a drill is a failed login nobody's rules care
   * about.
   */
  private static final SimUser CLOCK =
      new SimUser(
          "005000000DRILLCLK", "drill-clock@leakwatch.invalid", Role.ADMIN, "192.0.2.1", false);

  /**
   * @param api the engine's API, e.g. https://leakwatch.internal:8443
   * @param caCertificate PEM the API's certificate is trusted by, or null for the JVM's trust store
   * @param org the engine's name for the drill org
   */
  public record Target(URI api, String token, Path caCertificate, String org) {}

  /**
   * Where the simulator listens, and its home folder (certificate, org profile, last drill date).
   */
  public record Endpoint(String host, int port, Path home, Duration timeout) {}

  private final Drill.Options options;
  private final Target target;
  private final Endpoint endpoint;
  private final PrintStream progress;
  private final HttpClient http;

  public RemoteDrill(
      Drill.Options options, Target target, Endpoint endpoint, PrintStream progress) {
    this.options = options;
    this.target = target;
    this.endpoint = endpoint;
    this.progress = progress;
    this.http = TrustedCertificates.httpClient(target.caCertificate());
  }

  /**
   * Writes the org profile and the certificate the engine's drill org needs (kept across runs) and
   * returns the certificate file.
   */
  public static Path prepare(Path home, SimulatedOrg org) throws IOException {
    return prepare(home, org, List.of());
  }

  /**
   * @param names host names or addresses the engine reaches the simulator by, besides localhost (in
   *     the certificate)
   */
  public static Path prepare(Path home, SimulatedOrg org, List<String> names) throws IOException {
    Files.createDirectories(home);
    Files.writeString(home.resolve("org-profile.yaml"), org.profileYaml());
    Path cert = home.resolve("tls/simulator-cert.pem");
    if (!Files.exists(cert) || !Files.exists(home.resolve("tls/simulator-key.pem"))) {
      SelfSignedCertificate.generate(home.resolve("tls"), names);
    }
    return cert;
  }

  /**
   * The first day to simulate: today, or ten days after the previous drill's last day if that is
   * later.
   */
  public static LocalDate nextDate(Path home, LocalDate today) throws IOException {
    Path last = home.resolve("last-drill-date");
    if (!Files.exists(last)) {
      return today;
    }
    LocalDate after = LocalDate.parse(Files.readString(last).strip()).plusDays(10);
    return after.isAfter(today) ? after : today;
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("transport", "pubsub-grpc-tls-remote-engine");
    settings.put("engineApi", target.api().toString());
    settings.put("engineOrg", target.org());
    return settings;
  }

  @Override
  public LiveDrill.Result run(Path workDir, JsonLinesAlertSink alertsFile) throws Exception {
    long start = System.nanoTime();
    SimulatedOrg org = SimulatedOrg.generate(options.seed(), options.users());
    prepare(endpoint.home(), org, List.of(endpoint.host()));
    String tag = Long.toString(System.currentTimeMillis(), 36);
    Scenarios.Timeline timeline = tagged(timeline(org), tag);
    checkRules();
    List<String> topics = readiness(false);
    progress.printf(
        "Engine org %s watches %s with the same rule pack (sha256 %s)%n",
        target.org(), topics, options.pack().sha256().substring(0, 12));
    long receivedBefore = count(RECEIVED, metrics());
    long deadBefore = count(DEAD, metrics());
    Path home = endpoint.home();
    PubSubServer.Settings settings =
        new PubSubServer.Settings(
            endpoint.host(),
            endpoint.port(),
            org.orgId(),
            home.resolve("tls/simulator-cert.pem"),
            home.resolve("tls/simulator-key.pem"),
            home.resolve("tls"),
            // A keepalive as Salesforce sends one (seconds to minutes apart), not every second: a
            // topic said idle has nothing older to come, but this server then publishes a whole
            // past-dated day, and an idle topic's first batch, late on a busy host, would land
            // behind other topics' later events (a false LW-001 in RemoteDrillTest).
            Duration.ofSeconds(30),
            Duration.ofMinutes(10),
            token -> true);
    // Replay ids newer than any earlier drill's, so the engine's stored position is simply behind
    // them.
    try (PubSubServer server =
        PubSubServer.start(
            settings, EventSchemas.standard().byTopic(), System.currentTimeMillis() * 1_000)) {
      progress.printf(
          "Simulated org %s serving Pub/Sub on %s:%d; waiting for the engine to subscribe%n",
          org.orgId(), endpoint.host(), server.port());
      readiness(true);
      Playback playback = new Playback(server, timeline.events(), options.playMillis());
      playback.run();
      long lastEvent = timeline.events().get(timeline.events().size() - 1).eventDate();
      SimEvent tick = clockTick(topics, lastEvent + Duration.ofHours(2).toMillis(), tag);
      server.publish(tick.topic(), tick.eventIdentifier(), EventSchemas.encode(tick.record()));
      // From here the engine's clock is past this run's days: the next run must start later, even
      // if this one fails.
      Files.writeString(
          home.resolve("last-drill-date"),
          Instant.ofEpochMilli(lastEvent).atZone(SimulatedOrg.TIME_ZONE).toLocalDate() + "\n");
      // The engine receives only the topics it watches: events of the others stay on the bus.
      long published =
          timeline.events().stream().filter(e -> topics.contains(e.topic())).count() + 1;
      progress.printf(
          "Played %d events (and a clock tick); waiting for the engine to process them%n",
          published);
      long deadline = System.nanoTime() + endpoint.timeout().toNanos();
      while (count(RECEIVED, metrics()) - receivedBefore < published) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "the engine received "
                  + (count(RECEIVED, metrics()) - receivedBefore)
                  + " of "
                  + published
                  + " events within "
                  + endpoint.timeout()
                  + "; is org "
                  + target.org()
                  + " subscribed to "
                  + endpoint.host()
                  + ":"
                  + server.port()
                  + "?");
        }
        Thread.sleep(500);
      }
      List<Alert> alerts =
          awaitAlerts(
              Instant.ofEpochMilli(timeline.events().get(0).eventDate()).minus(Duration.ofDays(1)),
              deadline,
              tag);
      for (Alert alert : alerts) {
        alertsFile.accept(alert);
      }
      long processed = count(RECEIVED, metrics()) - receivedBefore;
      long dead = count(DEAD, metrics()) - deadBefore;
      if (dead > 0) {
        progress.printf(
            "The engine dead-lettered %d of the drill's events (see its dead-letter file)%n", dead);
      }
      return new LiveDrill.Result(
          org,
          published,
          processed,
          new PipelineStats(),
          alerts,
          ScenarioOutcome.match(timeline.injected(), alerts),
          (System.nanoTime() - start) / 1_000_000,
          Map.of());
    }
  }

  private Scenarios.Timeline timeline(SimulatedOrg org) {
    Scenarios.Timeline first = Scenarios.day(org, options.date(), options.scenarios());
    List<SimEvent> events = new ArrayList<>(first.events());
    for (int d = 1; d < options.days(); d++) {
      events.addAll(Scenarios.day(org, options.date().plusDays(d), List.of()).events());
    }
    events.sort(TrafficGenerator::byTime);
    return new Scenarios.Timeline(List.copyOf(events), first.injected());
  }

  /**
   * Every event id prefixed with the run's tag, so this run's alerts are new to the engine's
   * ledger.
   */
  static Scenarios.Timeline tagged(Scenarios.Timeline timeline, String tag) {
    List<SimEvent> events = new ArrayList<>(timeline.events().size());
    for (SimEvent event : timeline.events()) {
      String id = tag + "-" + event.eventIdentifier();
      event.record().put("EventIdentifier", id);
      events.add(
          new SimEvent(event.topic(), event.eventDate(), id, event.record(), event.scenarioId()));
    }
    List<InjectedScenario> injected = new ArrayList<>();
    for (InjectedScenario s : timeline.injected()) {
      Set<String> ids = new LinkedHashSet<>();
      s.eventIds().forEach(id -> ids.add(tag + "-" + id));
      injected.add(
          new InjectedScenario(s.id(), s.title(), s.expectedRules(), ids, s.firstEventTime()));
    }
    return new Scenarios.Timeline(List.copyOf(events), List.copyOf(injected));
  }

  /**
   * Moves the engine's event time past the drill's last window, as the next day's traffic would.
   */
  private static SimEvent clockTick(List<String> topics, long time, String tag) {
    EventFactory make = new EventFactory(new Random(time), null);
    SimEvent tick =
        topics.contains(EventSchemas.LOGIN)
            ? make.login(
                time, CLOCK, CLOCK.ip(), null, "Application", "Browser", "Standard", "Failed")
            : make.apiQuery(
                time,
                CLOCK,
                CLOCK.ip(),
                null,
                "REST",
                "leakwatch-drill-clock",
                null,
                "SELECT Id FROM Organization",
                "Organization",
                1);
    String id = tag + "-clock";
    tick.record().put("EventIdentifier", id);
    return new SimEvent(tick.topic(), time, id, tick.record(), null);
  }

  /** The drill org's topics; with {@code awaitLive}, once every one of them is live. */
  private List<String> readiness(boolean awaitLive) throws Exception {
    long deadline = System.nanoTime() + endpoint.timeout().toNanos();
    String last = "";
    while (true) {
      HttpResponse<String> ready = get("/ready");
      if (ready.statusCode() == 401) {
        throw new IOException(target.api() + " refused the API token (401)");
      }
      JsonNode org = JSON.readTree(ready.body()).path("orgs").path(target.org());
      if (org.isMissingNode()) {
        throw new IOException(
            "the engine at " + target.api() + " has no org named '" + target.org() + "'");
      }
      List<String> topics = new ArrayList<>();
      boolean live = true;
      for (Iterator<Map.Entry<String, JsonNode>> it = org.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> topic = it.next();
        topics.add(topic.getKey());
        live &= "live".equals(topic.getValue().asText());
      }
      if (!topics.isEmpty() && (live || !awaitLive)) {
        return topics;
      }
      last = org.toString();
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "org "
                + target.org()
                + " did not become live within "
                + endpoint.timeout()
                + ": "
                + last);
      }
      Thread.sleep(500);
    }
  }

  /**
   * The org's drill alerts detected since {@code from}, once they stop changing for five seconds.
   */
  private List<Alert> awaitAlerts(Instant from, long deadline, String tag) throws Exception {
    List<String> previous = null;
    int quiet = 0;
    while (true) {
      // Only this run's: an earlier, failed run on the same days must not look like false
      // positives.
      List<Alert> alerts =
          alerts(from).stream()
              .filter(a -> a.evidence().stream().anyMatch(id -> id.startsWith(tag + "-")))
              .toList();
      List<String> keys = alerts.stream().map(Alert::deliveryKey).sorted().toList();
      quiet = keys.equals(previous) ? quiet + 1 : 0;
      previous = keys;
      if (quiet >= 5 || System.nanoTime() > deadline) {
        return alerts;
      }
      Thread.sleep(1_000);
    }
  }

  private List<Alert> alerts(Instant from) throws Exception {
    List<Alert> alerts = new ArrayList<>();
    String cursor = null;
    do {
      String query =
          "/alerts?org="
              + URLEncoder.encode(target.org(), StandardCharsets.UTF_8)
              + "&from="
              + from
              + "&limit=1000"
              + (cursor == null
                  ? ""
                  : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      HttpResponse<String> response = get(query);
      if (response.statusCode() != 200) {
        throw new IOException(
            "GET " + query + " answered " + response.statusCode() + ": " + response.body());
      }
      JsonNode page = JSON.readTree(response.body());
      for (JsonNode node : page.path("alerts")) {
        Alert alert = AlertJson.fromJson(node.toString());
        // Monitoring gaps (the engine noticing a fresh simulator) are operations, not detections.
        if (alert.drill() && !alert.ruleId().startsWith("LW-GAP")) {
          alerts.add(alert);
        }
      }
      cursor = page.path("nextCursor").isTextual() ? page.get("nextCursor").asText() : null;
    } while (cursor != null);
    alerts.sort(
        java.util.Comparator.comparingLong(Alert::detectedAt).thenComparing(Alert::deliveryKey));
    return alerts;
  }

  private String metrics() throws Exception {
    HttpResponse<String> response = get("/metrics");
    if (response.statusCode() != 200) {
      throw new IOException("GET /metrics answered " + response.statusCode());
    }
    return response.body();
  }

  private long count(Pattern counter, String metrics) {
    long total = 0;
    Matcher m = counter.matcher(metrics);
    while (m.find()) {
      if (m.group(1).equals(target.org())) {
        // Prometheus text writes numbers as floats (3.0, 1.2345E7).
        total += (long) Double.parseDouble(m.group(3));
      }
    }
    return total;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(target.api().resolve(path))
            .header("Authorization", "Bearer " + target.token())
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Checks that the engine's org runs exactly the rules the report will describe. */
  public void checkRules() throws Exception {
    HttpResponse<String> response = get("/rules");
    if (response.statusCode() != 200) {
      throw new IOException("GET /rules answered " + response.statusCode());
    }
    for (JsonNode org : JSON.readTree(response.body()).path("orgs")) {
      if (org.path("org").asText().equals(target.org())
          || org.path("name").asText().equals(target.org())) {
        String sha = org.path("pack").path("sha256").asText();
        if (!sha.equals(options.pack().sha256())) {
          throw new IOException(
              "the engine's org "
                  + target.org()
                  + " runs rule pack sha256 "
                  + sha
                  + ", not "
                  + options.pack().sha256()
                  + " ("
                  + options.pack().origin()
                  + "); pass --rules with the engine's rules folder so the report describes what ran");
        }
        return;
      }
    }
    throw new IOException("the engine's /rules lists no org named '" + target.org() + "'");
  }

  public static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }
}
