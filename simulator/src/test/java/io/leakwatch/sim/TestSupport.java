package io.leakwatch.sim;

import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.engine.Durability;
import io.leakwatch.engine.EngineSettings;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.pubsub.ReplayStart;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.PubSubServer;
import io.leakwatch.sim.traffic.EventSchemas;
import io.leakwatch.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * What the simulator's tests share: waiting for an asynchronous outcome ({@link Await}, and a
 * scratch copy of the rule pack, {@link io.leakwatch.rulepack.TestPacks}, come from the engine's
 * test-jar), and an engine's settings on a simulated org's server (the engine-against-simulator
 * fixture with a whole day is {@link SimulatedDay}).
 */
public final class TestSupport {
  private TestSupport() {}

  /** Polls until {@code condition} holds; fails after a minute naming {@code what}. */
  public static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Await.until(condition, what);
  }

  /**
   * A simulated org's own server, with its certificate in {@code dir/tls} and the org's profile
   * written to {@code dir/profile.yaml}, where {@link #engineOn} reads it.
   */
  public static PubSubServer serve(SimulatedOrg org, Path dir) throws Exception {
    Files.writeString(dir.resolve("profile.yaml"), org.profileYaml());
    return PubSubServer.start(
        PubSubServer.Settings.defaults(org.orgId(), dir.resolve("tls")),
        EventSchemas.standard().byTopic(),
        1);
  }

  /**
   * No state kept, and streams reopened at most half a second apart (not up to 30 s): for tests
   * whose fault recurs at every reopening.
   */
  public static Durability quickReconnects() {
    return new Durability(
        null,
        ReplayStart.earliest(),
        Durability.DEFAULT_HORIZON_MILLIS,
        Durability.DEFAULT_STALE_MILLIS,
        false,
        500);
  }

  /**
   * Settings for an engine that reads {@code server} as {@code org}'s client: pinned to the
   * server's certificate, a fixed token, every topic from the earliest event, the org profile in
   * {@code dir/profile.yaml} and the default pack. A test changes what it is about.
   */
  public static EngineSettings.Builder engineOn(PubSubServer server, SimulatedOrg org, Path dir) {
    return EngineSettings.builder()
        .endpoint(new PubSubEndpoint("localhost", server.port(), server.certificate()))
        .tokens(TokenSource.fixed(new AccessGrant("token", org.instanceUrl(), org.orgId())))
        .topics(EventSchemas.TOPICS)
        .start(ReplayStart.earliest())
        .profile(OrgProfileLoader.load(dir.resolve("profile.yaml")))
        .pack(RulePackLoader.defaultPack());
  }
}
