package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.sim.org.OrgMetadata;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.org.StoredEvents;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code profile discover} and {@code profile diff} do when the org's API says no (each
 * refusal its own documented exit code and one clear line, never a trace or the token), and how
 * diff finds drift, all through the simulator's REST API over HTTPS.
 */
class ProfileErrorsAndDiffTest {
  static final String TOKEN = "diff-token-7c1d";

  @TempDir Path dir;
  SimulatedOrg org;
  OrgMetadata metadata;
  RestApiServer rest;
  SelfSignedCertificate tls;
  String accepted = TOKEN;

  @BeforeEach
  void start() throws Exception {
    org = SimulatedOrg.generate(3, 40);
    metadata = OrgMetadata.of(org);
    tls = SelfSignedCertificate.generate(dir.resolve("rest-tls"));
    rest =
        RestApiServer.start(tls, t -> t.equals(accepted))
            .servingOrg(org.orgId(), metadata, new StoredEvents(org, LocalDate.of(2026, 3, 10), 3));
    Files.writeString(dir.resolve("profile.yaml"), "");
    writeConfig("profile.yaml");
  }

  @AfterEach
  void stop() throws Exception {
    rest.close();
  }

  void writeConfig(String profile) throws Exception {
    Files.writeString(
        dir.resolve("leakwatch.yaml"),
        """
        orgs:
          - name: sim
            endpoint: {host: localhost, port: 7443}
            auth: {accessToken: %s, instanceUrl: "%s", tenantId: %s}
            topics: [/event/ApiEventStream]
            profile: %s
            loginHistory: {trustCertificate: %s}
        alerts: {console: false}
        """
            .formatted(
                TOKEN, rest.url(), org.orgId(), profile, tls.certificate().toAbsolutePath()));
  }

  record Run(int exit, String output) {}

  Run run(String... args) {
    List<String> argv = new ArrayList<>(List.of("profile"));
    argv.addAll(List.of(args));
    argv.addAll(List.of("--config", dir.resolve("leakwatch.yaml").toString(), "--org", "sim"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exit = Leakwatch.execute(argv, print, print);
    return new Run(exit, out.toString(StandardCharsets.UTF_8));
  }

  Run discover() {
    return run(
        "discover",
        "--out",
        dir.resolve("org-profile.yaml").toString(),
        "--days",
        "2",
        "--skip-topics");
  }

  void assertClean(Run run, int exit, String... says) {
    assertEquals(exit, run.exit(), run.output());
    for (String text : says) {
      assertTrue(run.output().contains(text), "expected '" + text + "' in: " + run.output());
    }
    assertFalse(run.output().contains("\tat "), "a stack trace: " + run.output());
    assertFalse(run.output().contains(TOKEN), "the token: " + run.output());
    assertFalse(Files.exists(dir.resolve("org-profile.yaml")), "a profile written anyway");
  }

  @Test
  void aRefusedTokenIsExitThree() {
    accepted = "another-token";
    assertClean(discover(), 3, "HTTP 401", "refused the credentials");
  }

  @Test
  void aMissingPermissionIsExitFourAndNamesWhatWasBeingRead() {
    rest.refuse("ApiEvent", 403, "INSUFFICIENT_ACCESS");
    assertClean(
        discover(),
        4,
        "reading stored ApiEvent history: query call failed: HTTP 403 INSUFFICIENT_ACCESS",
        "View Real-Time Event Monitoring Data");
  }

  @Test
  void aDisabledApiIsExitFive() {
    rest.failNext(1, 403, "API_DISABLED_FOR_ORG");
    assertClean(discover(), 5, "API_DISABLED_FOR_ORG", "reading Organization");
  }

  @Test
  void aUsedUpRequestLimitIsExitSix() {
    rest.failNext(1, 403, "REQUEST_LIMIT_EXCEEDED");
    assertClean(discover(), 6, "REQUEST_LIMIT_EXCEEDED", "--days");
  }

  @Test
  void anUnknownOrgIsAUsageError() {
    Run run =
        run(
            "discover",
            "--out",
            dir.resolve("x.yaml").toString(),
            "--org",
            "nope",
            "--skip-topics");
    assertEquals(2, run.exit(), run.output());
  }

  @Test
  void diffFindsNothingRightAfterDiscoveryThenEveryKindOfDrift() throws Exception {
    assertEquals(0, discover().exit());
    writeConfig("org-profile.yaml");
    Run clean = run("diff", "--days", "2");
    assertEquals(0, clean.exit(), clean.output());
    assertTrue(clean.output().contains("No drift"), clean.output());

    // Someone classifies a new field, grants View All Data, and a new integration user appears.
    metadata.withField(new OrgMetadata.Field("Contact", "Insurance_Id__c", "HIPAA", "Restricted"));
    String scheduler = org.people(io.leakwatch.sim.org.Role.SCHEDULER).get(4).id();
    metadata.withAssignment(
        new OrgMetadata.Assignment(scheduler, "Data_Export", false, Set.of("ViewAllData")));
    metadata.withUser(
        new OrgMetadata.User(
            "005000000000NEWAAA",
            "billing.sync@sim-health.example",
            "Standard",
            "Minimum Access - API Only Integrations",
            "Salesforce Integration",
            true));
    Run drift = run("diff", "--days", "2");
    assertEquals(1, drift.exit(), drift.output());
    assertTrue(
        drift.output().contains("DRIFT new PHI field: Contact.Insurance_Id__c"), drift.output());
    assertTrue(
        drift.output().contains("DRIFT new holder of critical permissions: ")
            && drift.output().contains(scheduler + ") [ViewAllData]"),
        drift.output());
    assertTrue(
        drift.output().contains("DRIFT new integration user: billing.sync@sim-health.example"),
        drift.output());
  }

  @Test
  void diffSeesAnIntegrationThatOutgrewItsDeclaration() throws Exception {
    String telehealth = org.integration("telehealth").user().id();
    Files.writeString(
        dir.resolve("narrow.yaml"),
        org.profileYaml()
            .replace(
                "Contact: [Id, FirstName, LastName, Birthdate, MailingPostalCode]\n      Patient",
                "Contact: [Id, FirstName]\n      Patient"));
    writeConfig("narrow.yaml");
    Run drift = run("diff", "--days", "2");
    assertEquals(1, drift.exit(), drift.output());
    assertTrue(
        drift
            .output()
            .contains(
                "DRIFT integration telehealth selected fields it does not declare:"
                    + " [Contact.Birthdate, Contact.LastName, Contact.MailingPostalCode]"),
        drift.output());
    // No baseline beside a hand-written profile: the holders are unreviewed.
    assertTrue(drift.output().contains("no discovery baseline"), drift.output());
    assertTrue(telehealth.startsWith("005"));
  }
}
