package io.leakwatch.cli;

import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenario;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventLines;
import io.leakwatch.sim.traffic.EventSchemas;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code leakwatch simulate}: the simulated org as a standalone Pub/Sub endpoint, for an engine
 * running elsewhere or any Pub/Sub client. Plays one day (scenarios included), then keeps serving
 * so clients can replay from EARLIEST, until stopped.
 */
final class SimulateCommand {
  static final Set<String> OPTIONS =
      Set.of(
          "port",
          "seed",
          "users",
          "seconds",
          "out",
          "date",
          "host",
          "export",
          "scenarios",
          "scenario-dir");

  private SimulateCommand() {}

  static int run(Args args, PrintStream out) throws Exception {
    int port = (int) args.number("port", 7443, 0, 65_535);
    long seed = args.number("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE);
    int users = (int) args.number("users", 500, 20, 200_000);
    long seconds = args.number("seconds", 60, 0, 86_400);
    Path dir = Path.of(args.text("out", "leakwatch-sim"));
    LocalDate date = LocalDate.parse(args.text("date", "2026-03-10"));
    String host = args.text("host", "127.0.0.1");

    SimulatedOrg org = SimulatedOrg.generate(seed, users);
    String scenarioDir = args.text("scenario-dir", null);
    List<Scenario> scenarios =
        Scenarios.select(
            args.text("scenarios", "all"), scenarioDir == null ? null : Path.of(scenarioDir));
    Scenarios.Timeline timeline = Scenarios.day(org, date, scenarios);
    Files.createDirectories(dir);
    Path profile = dir.resolve("org-profile.yaml");
    Files.writeString(profile, org.profileYaml());
    String export = args.text("export", null);
    if (export != null) {
      // The day as JSON Lines (what an export of real events looks like), for `leakwatch replay`.
      try (var writer = Files.newBufferedWriter(Path.of(export))) {
        for (var event : timeline.events()) {
          writer.write(EventLines.toJson(event));
          writer.newLine();
        }
      }
      out.printf(
          "Wrote %d events of org %s to %s; its profile is %s%n",
          timeline.events().size(), org.orgId(), export, profile);
      return 0;
    }
    PubSubServer.Settings settings =
        PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls"));
    settings =
        new PubSubServer.Settings(
            host,
            port,
            settings.tenantId(),
            null,
            null,
            settings.certificateDir(),
            settings.keepAlive(),
            settings.idleClose(),
            settings.tokens());
    try (PubSubServer server =
        PubSubServer.start(settings, EventSchemas.standard().byTopic(), 18_098_167L)) {
      out.printf(
          "Simulated org %s serving Pub/Sub on %s:%d (TLS)%n", org.orgId(), host, server.port());
      out.printf("  trust this certificate: %s%n", server.certificate().toAbsolutePath());
      out.printf(
          "  instance url %s, tenant id %s, any access token%n", org.instanceUrl(), org.orgId());
      out.printf("  org profile: %s%n", profile.toAbsolutePath());
      out.printf("  topics: %s%n", EventSchemas.TOPICS);
      out.printf(
          "Playing %d events over %d s (scenarios %s)%n",
          timeline.events().size(), seconds, scenarios.stream().map(Scenario::id).toList());
      Playback playback = new Playback(server, timeline.events(), seconds * 1000);
      playback.run();
      out.printf("Played %d events; still serving until stopped (Ctrl-C)%n", playback.published());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }
}
