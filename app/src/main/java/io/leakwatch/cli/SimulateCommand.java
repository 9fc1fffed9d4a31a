package io.leakwatch.cli;

import io.leakwatch.sim.Playback;
import io.leakwatch.sim.org.LoginHistory;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.scenario.Scenario;
import io.leakwatch.sim.scenario.Scenarios;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventLines;
import io.leakwatch.sim.traffic.EventSchemas;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch simulate}: the simulated org as a standalone Pub/Sub endpoint, for an engine
 * running elsewhere or any Pub/Sub client. Plays one day (scenarios included), then keeps serving
 * so clients can replay from EARLIEST, until stopped.
 */
@Command(
    name = "simulate",
    description =
        "Serve the simulated org as a standalone Pub/Sub endpoint on TLS: plays one day, then"
            + " keeps serving until stopped.")
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", defaultValue = "7443", description = "port to listen on (0: any)")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on")
  String host;

  @Option(names = "--seed", defaultValue = "7", description = "seed of the simulated org")
  long seed;

  @Option(names = "--users", defaultValue = "500", description = "users in the org (20 to 200000)")
  int users;

  @Option(
      names = "--seconds",
      defaultValue = "60",
      description = "wall-clock seconds to play the day over (0 to 86400)")
  long seconds;

  @Option(
      names = "--out",
      defaultValue = "leakwatch-sim",
      description = "folder for the org profile and certificate")
  Path dir;

  @Option(
      names = "--date",
      defaultValue = "2026-03-10",
      description = "the simulated day (YYYY-MM-DD)")
  LocalDate date;

  @Option(
      names = "--scenarios",
      defaultValue = "all",
      paramLabel = "all|none|ID,ID",
      description = "scenarios injected into the day")
  String scenarioSet;

  @Option(names = "--scenario-dir", paramLabel = "DIR", description = "scenario files of your own")
  Path scenarioDir;

  @Option(
      names = "--export",
      paramLabel = "FILE",
      description = "write the day as JSON Lines (for replay) instead of serving it")
  Path export;

  @Override
  public Integer call() throws Exception {
    Bounds.check(spec, "--port", port, 0, 65_535);
    Bounds.check(spec, "--users", users, 20, 200_000);
    Bounds.check(spec, "--seconds", seconds, 0, 86_400);
    PrintStream out = Leakwatch.root(spec).out();
    SimulatedOrg org = SimulatedOrg.generate(seed, users);
    List<Scenario> scenarios = Scenarios.select(scenarioSet, scenarioDir);
    Scenarios.Timeline timeline = Scenarios.day(org, date, scenarios);
    Files.createDirectories(dir);
    Path profile = dir.resolve("org-profile.yaml");
    Files.writeString(profile, org.profileYaml());
    if (export != null) {
      // The day as JSON Lines (what an export of real events looks like), for `leakwatch replay`.
      try (var writer = Files.newBufferedWriter(export)) {
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
    // As in a real org, every login is written to LoginHistory and integration users' logins are
    // found only there: the org's REST API serves it to the engine's LoginHistory poll.
    LoginHistory loginHistory = LoginHistory.of(org);
    SelfSignedCertificate restTls = SelfSignedCertificate.generate(dir.resolve("rest-tls"));
    try (PubSubServer server =
            PubSubServer.start(settings, EventSchemas.standard().byTopic(), 18_098_167L);
        RestApiServer rest =
            RestApiServer.start(restTls, token -> true)
                .serving(loginHistory)
                // Its setup and the 30 days of stored events before the day: `profile discover`.
                .servingOrg(
                    org.orgId(),
                    io.leakwatch.sim.org.OrgMetadata.of(org),
                    new io.leakwatch.sim.org.StoredEvents(org, date, 30))) {
      out.printf(
          "Simulated org %s serving Pub/Sub on %s:%d (TLS)%n", org.orgId(), host, server.port());
      out.printf("  trust this certificate: %s%n", server.certificate().toAbsolutePath());
      out.printf("  instance url %s, tenant id %s, any access token%n", rest.url(), org.orgId());
      out.printf(
          "  REST API on loopback (LoginHistory queries, response actions, profile discover),"
              + " certificate %s;"
              + " integration users' logins are only in LoginHistory: read them with"
              + " loginHistory: {enabled: true, trustCertificate: <that file>}%n",
          restTls.certificate().toAbsolutePath());
      out.printf("  org profile: %s%n", profile.toAbsolutePath());
      out.printf("  topics: %s%n", EventSchemas.TOPICS);
      out.printf(
          "Playing %d events over %d s (scenarios %s)%n",
          timeline.events().size(), seconds, scenarios.stream().map(Scenario::id).toList());
      Playback playback = new Playback(server, timeline.events(), seconds * 1000, loginHistory);
      playback.run();
      out.printf("Played %d events; still serving until stopped (Ctrl-C)%n", playback.published());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }
}
