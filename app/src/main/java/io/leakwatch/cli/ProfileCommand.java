package io.leakwatch.cli;

import io.leakwatch.auth.AuthException;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.checkpoint.LearnedStateFile;
import io.leakwatch.checkpoint.LearnedStateStore;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.config.OrgConfig;
import io.leakwatch.discover.Baseline;
import io.leakwatch.discover.DiscoveredOrg;
import io.leakwatch.discover.Discovery;
import io.leakwatch.discover.DiscoveryFailure;
import io.leakwatch.discover.DiscoverySettings;
import io.leakwatch.discover.ProfileDrift;
import io.leakwatch.discover.ProfileYaml;
import io.leakwatch.discover.TopicCheck;
import io.leakwatch.engine.CompiledPack;
import io.leakwatch.engine.Durability;
import io.leakwatch.learn.HistorySeeder;
import io.leakwatch.learn.Seed;
import io.leakwatch.profile.OrgProfile;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.PubSubClient;
import io.leakwatch.rest.SoqlClient;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.store.SharedOrgState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch profile discover|diff}: the org profile from the org itself (its PHI catalog,
 * integrations, critical permission holders, time zone, business hours and stored events), and what
 * changed since. Reads metadata, ids, counts and names through the REST and Tooling APIs with the
 * org's configured auth; never a record of a patient object.
 */
@Command(
    name = "profile",
    description = "Discover an org's profile from the org, or diff a profile against the org.",
    subcommands = {ProfileCommand.Discover.class, ProfileCommand.Diff.class},
    footer = {
      "",
      "Exit codes: 0 done (diff: no drift), 1 diff found drift needing review, 2 bad usage or"
          + " config, 3 the org refused the credentials (401), 4 a permission is missing"
          + " (INSUFFICIENT_ACCESS), 5 the API is disabled (API_DISABLED_FOR_ORG), 6 the API"
          + " request limit is used up (REQUEST_LIMIT_EXCEEDED), 7 the org's API failed otherwise."
    })
final class ProfileCommand {
  static final int AUTHENTICATION = DiscoveryFailure.Kind.AUTHENTICATION.exitCode();

  private ProfileCommand() {}

  /** Options both subcommands share: which org, how to reach its REST API, how much to read. */
  abstract static class OrgOptions {
    @Spec CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "configuration")
    Path config;

    @Option(names = "--org", required = true, paramLabel = "NAME", description = "org name in it")
    String org;

    @Option(
        names = "--days",
        defaultValue = "30",
        description = "days of stored events to read (1 to 180)")
    int days;

    @Option(
        names = "--compliance-group",
        split = ",",
        defaultValue = "HIPAA,PII",
        paramLabel = "GROUP",
        description = "FieldDefinition ComplianceGroup values that make a field PHI")
    List<String> groups;

    @Option(
        names = "--classification",
        split = ",",
        paramLabel = "LEVEL",
        description =
            "FieldDefinition SecurityClassification values that also make a field PHI (e.g."
                + " Restricted); none by default")
    List<String> classifications;

    @Option(
        names = "--trust-certificate",
        paramLabel = "PEM",
        description =
            "certificate the org's REST API must chain to (default: the org's"
                + " loginHistory.trustCertificate, else the JVM's trust store)")
    Path trustCertificate;

    OrgConfig orgConfig() {
      Bounds.check(spec, "--days", days, 1, 180);
      EngineConfig loaded = EngineConfig.load(config, System.getenv());
      return loaded.orgs().stream()
          .filter(o -> o.name().equals(org))
          .findFirst()
          .orElseThrow(
              () ->
                  new ParameterException(
                      spec.commandLine(),
                      "no org '"
                          + org
                          + "' in "
                          + config
                          + " (orgs: "
                          + loaded.orgs().stream().map(OrgConfig::name).toList()
                          + ")"));
    }

    DiscoverySettings settings() {
      return new DiscoverySettings(
          days,
          Set.copyOf(groups),
          classifications == null ? Set.of() : Set.copyOf(classifications));
    }

    SoqlClient soql(OrgConfig org) {
      Path pem =
          trustCertificate != null ? trustCertificate : org.loginHistory().trustCertificate();
      return new SoqlClient(
          org.tokens(),
          TrustedCertificates.httpClient(pem),
          org.loginHistory().apiVersion(),
          Duration.ofSeconds(60),
          2_000);
    }

    /** Runs discovery; a refused call becomes its documented exit code and one clear line. */
    DiscoveredOrg discover(OrgConfig org, Set<String> alsoTrack, PrintStream err)
        throws InterruptedException, Failed {
      try {
        return new Discovery(soql(org), settings()).run(System.currentTimeMillis(), alsoTrack);
      } catch (DiscoveryFailure e) {
        err.println("leakwatch: profile " + spec.name() + ": " + e.getMessage());
        throw new Failed(e.exitCode());
      } catch (AuthException e) {
        err.println(
            "leakwatch: profile "
                + spec.name()
                + ": signing in to org "
                + org.name()
                + " failed: "
                + e.getMessage());
        throw new Failed(AUTHENTICATION);
      }
    }
  }

  /** A failure already reported; carries the exit code. */
  static final class Failed extends Exception {
    final int exitCode;

    Failed(int exitCode) {
      super(null, null, false, false);
      this.exitCode = exitCode;
    }
  }

  @Command(
      name = "discover",
      description =
          "Write an org profile from the org: PHI fields by data classification, integration users"
              + " and their connected apps, time zone and business hours, and from the stored"
              + " events each integration's objects, fields, run window and rows per 5 minutes"
              + " (marked observed). Also checks each configured topic with GetTopic.")
  static final class Discover extends OrgOptions implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "profile to write")
    Path out;

    @Option(names = "--skip-topics", description = "do not check the topics with GetTopic")
    boolean skipTopics;

    @Option(
        names = "--no-seed",
        description =
            "do not seed the org's learned state (known countries and addresses, daily baselines)"
                + " from the stored events")
    boolean noSeed;

    @Option(
        names = "--reseed",
        description =
            "seed the learned state even if the org already has one, replacing what the engine"
                + " learned (stop run first)")
    boolean reseed;

    @Override
    public Integer call() throws Exception {
      PrintStream stdout = Leakwatch.root(spec).out();
      PrintStream err = Leakwatch.root(spec).err();
      OrgConfig org = orgConfig();
      if (noSeed && reseed) {
        throw new ParameterException(
            spec.commandLine(), "--no-seed and --reseed exclude each other");
      }
      DiscoveredOrg found;
      try {
        found = discover(org, Set.of(), err);
      } catch (Failed f) {
        return f.exitCode;
      }
      String yaml = ProfileYaml.render(found, settings());
      // What is written must load: a profile the engine rejects is no profile.
      OrgProfileLoader.parse(yaml, out.toString());
      Path parent = out.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temp = parent.resolve(out.getFileName() + ".tmp");
      Files.writeString(temp, yaml);
      Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Path baseline = Baseline.beside(out);
      Baseline.of(found).write(baseline);

      stdout.printf(
          "Discovered org %s (%s, time zone %s) in %d REST calls%n",
          found.orgId(), found.name(), found.timeZone(), found.calls());
      int phiFields = found.catalog().fields().values().stream().mapToInt(List::size).sum();
      stdout.printf(
          "  PHI: %d objects %s, %d listed fields (%d field definitions of %d objects read)%n",
          found.catalog().objects().size(),
          found.catalog().objects(),
          phiFields,
          found.catalog().fieldsRead(),
          found.catalog().entitiesRead());
      stdout.printf(
          "  history: %d days, %d API events, %d logins read%n",
          settings().days(), found.apiRows(), found.loginRows());
      for (DiscoveredOrg.DiscoveredIntegration i : found.integrations()) {
        var usage = i.usage();
        stdout.printf(
            "  integration %s: user %s, apps %s, found by %s; observed %d API events, objects %s,"
                + " most %d rows/5 min%n",
            i.name(),
            i.userId(),
            i.connectedAppIds(),
            i.foundBy(),
            usage.apiEvents(),
            usage.objects(),
            usage.maxRowsPer5Min());
      }
      stdout.printf(
          "  critical permissions: %d users hold one (recorded in %s for profile diff)%n",
          found.criticalHolders().size(), baseline);
      stdout.printf("  trusted networks (observed): %s%n", found.networks().keySet());
      if (!skipTopics) {
        checkTopics(org, stdout);
      }
      if (!noSeed) {
        try {
          seed(org, found, out, reseed, soql(org), stdout);
        } catch (DiscoveryFailure e) {
          err.println("leakwatch: profile discover: seeding the learned state: " + e.getMessage());
          err.printf(
              "leakwatch: profile discover: %s was written; rerun to seed, or --no-seed%n", out);
          return e.exitCode();
        } catch (AuthException e) {
          err.println("leakwatch: profile discover: seeding: signing in failed: " + e.getMessage());
          return AUTHENTICATION;
        }
      }
      stdout.printf(
          "Wrote %s: review the lines marked \"observed\", then point the org's profile: at it%n",
          out);
      return Leakwatch.OK;
    }
  }

  /**
   * Seeds the org's learned state from its stored events: the same history discovery read, run
   * through the org's rule pack with alerts muted, so the rules that learn (known countries and
   * addresses, daily baselines) start knowing the org. Never replaces learned state the engine
   * already has unless {@code replace}.
   */
  static void seed(
      OrgConfig org,
      DiscoveredOrg found,
      Path discoveredProfile,
      boolean replace,
      SoqlClient soql,
      PrintStream out)
      throws Exception {
    if (org.durability().stateDir() == null) {
      out.println("  learned state: not seeded (the org keeps no state folder)");
      return;
    }
    // Where run reads it: the state folder's file, or the org's row in a PostgreSQL store.
    Durability durability = org.durability();
    try (SharedOrgState shared = durability.openShared()) {
      seedInto(durability.learnedState(shared), org, found, discoveredProfile, replace, soql, out);
    }
  }

  /** Whether something is saved there, readable or not: either way a seed must not replace it. */
  private static boolean holdsState(LearnedStateStore target) throws IOException {
    try {
      return target.load() != null;
    } catch (LearnedStateFile.UnreadableStateException e) {
      return true;
    }
  }

  private static void seedInto(
      LearnedStateStore target,
      OrgConfig org,
      DiscoveredOrg found,
      Path discoveredProfile,
      boolean replace,
      SoqlClient soql,
      PrintStream out)
      throws Exception {
    if (!replace && holdsState(target)) {
      out.printf(
          "  learned state: not seeded, %s exists (learned by the engine or an earlier seed;"
              + " --reseed replaces it)%n",
          target.describe());
      return;
    }
    // The profile run will use, else the one just written (a first onboarding has none yet).
    Path profileFile = org.profile();
    OrgProfile profile;
    try {
      profile = OrgProfileLoader.load(profileFile);
    } catch (RuntimeException e) {
      profileFile = discoveredProfile;
      profile = OrgProfileLoader.load(profileFile);
    }
    RulePack pack =
        org.rules() == null
            ? RulePackLoader.defaultPack()
            : RulePackLoader.fromDirectory(org.rules());
    Seed seed =
        new HistorySeeder(CompiledPack.compile(pack), profile)
            .learn(soql, found.historyFrom(), found.historyTo());
    if (seed.eventsByObject().isEmpty()) {
      out.println("  learned state: not seeded, the rule pack keeps no learned (durable) table");
      return;
    }
    if (seed.events() == 0) {
      out.printf(
          "  learned state: not seeded, the stored history holds no event of %s (%d REST calls)%n",
          seed.eventsByObject().keySet(), seed.calls());
      return;
    }
    target.save(seed.state());
    out.printf(
        "  learned state: seeded %s from %d stored events %s of %d users over %d days, under"
            + " profile %s, in %d REST calls%n",
        target.describe(),
        seed.events(),
        seed.eventsByObject(),
        seed.users(),
        seed.days(),
        profileFile,
        seed.calls());
    out.printf("    rows learned: %s%n", seed.rowsByTable());
    seed.unusable()
        .forEach((why, n) -> out.printf("    %d stored events could not be used: %s%n", n, why));
  }

  /** GetTopic for each configured topic; prints what is not enabled and how to enable it. */
  static void checkTopics(OrgConfig org, PrintStream out) {
    try (PubSubClient client =
        new PubSubClient(org.endpoint(), () -> org.tokens().current().credentials())) {
      List<TopicCheck.Result> results = TopicCheck.check(client, org.topics());
      long ready = results.stream().filter(TopicCheck.Result::ready).count();
      out.printf("  topics (GetTopic): %d of %d ready%n", ready, results.size());
      for (TopicCheck.Result r : results) {
        if (!r.ready()) {
          out.printf(
              "    %s: %s%n      to enable: %s%n",
              r.topic(), r.problem(), TopicCheck.howToEnable(r.topic()));
        }
      }
    } catch (AuthException e) {
      out.printf("  topics (GetTopic): not checked, signing in failed: %s%n", e.getMessage());
    }
  }

  @Command(
      name = "diff",
      description =
          "Compare the org's profile (and the discovery baseline beside it) with the org today:"
              + " new PHI fields, new integration users, new holders of critical permissions,"
              + " integrations whose observed scope outgrew their declaration. Exit 1 when"
              + " something needs review.")
  static final class Diff extends OrgOptions implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      PrintStream stdout = Leakwatch.root(spec).out();
      PrintStream err = Leakwatch.root(spec).err();
      OrgConfig org = orgConfig();
      OrgProfile profile = OrgProfileLoader.load(org.profile());
      Path baselineFile = Baseline.beside(org.profile());
      Baseline baseline = Baseline.read(baselineFile);
      Set<String> declared = new java.util.TreeSet<>();
      profile.integrations().forEach(i -> declared.addAll(i.userIds()));
      DiscoveredOrg found;
      try {
        found = discover(org, declared, err);
      } catch (Failed f) {
        return f.exitCode;
      }
      ProfileDrift drift = ProfileDrift.compare(profile, baseline, found);
      stdout.printf(
          "Profile %s against org %s (%d days of history, %d REST calls)%n",
          org.profile(), found.orgId(), settings().days(), found.calls());
      for (String finding : drift.findings()) {
        stdout.println("  DRIFT " + finding);
      }
      for (String note : drift.notes()) {
        stdout.println("  note  " + note);
      }
      if (!drift.needsReview()) {
        stdout.println("No drift: the profile matches the org.");
        return Leakwatch.OK;
      }
      stdout.printf(
          "%d finding(s) need review; rerun profile discover to propose an updated profile.%n",
          drift.findings().size());
      return Leakwatch.FAILED;
    }
  }
}
