package io.leakwatch.sim.org;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic healthcare org, the same for the same seed: clinicians, schedulers, call-centre
 * agents, admins and portal patients, plus integration users behind four connected apps. Patients
 * live in Contact and the custom objects Patient_Record__c and Clinical_Note__c.
 */
public final class SimulatedOrg {
  public static final ZoneId TIME_ZONE = ZoneId.of("America/New_York");

  /** Office and VPN egress: trusted. */
  public static final String OFFICE_NETWORK = "198.51.100.0/24";

  /** Where the integrations' cloud workers call from: trusted. */
  public static final String INTEGRATION_NETWORK = "203.0.113.0/24";

  public static final List<String> PHI_OBJECTS =
      List.of("Contact", "Patient_Record__c", "Clinical_Note__c", "EHR_Patient__x");
  public static final LocalTime BUSINESS_START = LocalTime.of(7, 0);
  public static final LocalTime BUSINESS_END = LocalTime.of(19, 0);

  private final long seed;
  private final String orgId;
  private final String instanceUrl;
  private final List<SimUser> people;
  private final List<SimIntegration> integrations;
  private final int patients;

  private SimulatedOrg(
      long seed,
      String orgId,
      List<SimUser> people,
      List<SimIntegration> integrations,
      int patients) {
    this.seed = seed;
    this.orgId = orgId;
    this.instanceUrl =
        "https://sim-health-" + Long.toHexString(seed & 0xffff) + ".my.salesforce.com";
    this.people = people;
    this.integrations = integrations;
    this.patients = patients;
  }

  /**
   * @param staff number of people (portal patients included)
   */
  public static SimulatedOrg generate(long seed, int staff) {
    if (staff < 20) {
      throw new IllegalArgumentException("a simulated org needs at least 20 users, was " + staff);
    }
    Random random = new Random(seed);
    SalesforceIds ids = new SalesforceIds(random);
    String orgId = ids.next("00D");
    List<SimUser> people = new ArrayList<>(staff);
    for (int i = 0; i < staff; i++) {
      Role role = role(i, staff);
      String id = ids.next("005");
      String ip =
          role == Role.PORTAL_USER
              ? residentialIp(random)
              : "198.51.100." + (1 + random.nextInt(250));
      boolean api =
          switch (role) {
            case CLINICIAN, SCHEDULER -> random.nextInt(100) < 30;
            case CALL_CENTRE -> true;
            default -> false;
          };
      String username =
          role.name().toLowerCase().replace('_', '.') + (i + 1) + "@sim-health.example";
      people.add(new SimUser(id, username, role, ip, api));
    }
    List<SimIntegration> integrations =
        List.of(
            integration(
                ids,
                random,
                "telehealth",
                "Telehealth Visits",
                LocalTime.of(6, 0),
                LocalTime.of(22, 0),
                500,
                "203.0.113.10"),
            integration(
                ids,
                random,
                "scheduling",
                "Scheduling Sync",
                LocalTime.of(5, 0),
                LocalTime.of(21, 0),
                1_000,
                "203.0.113.20"),
            integration(
                ids,
                random,
                "patient-portal",
                "Patient Portal",
                LocalTime.MIDNIGHT,
                LocalTime.MIDNIGHT,
                300,
                "203.0.113.30"),
            integration(
                ids,
                random,
                "nightly-etl",
                "Nightly Warehouse ETL",
                LocalTime.of(1, 0),
                LocalTime.of(4, 0),
                50_000,
                "203.0.113.40"));
    return new SimulatedOrg(seed, orgId, List.copyOf(people), integrations, staff * 40);
  }

  private static Role role(int index, int staff) {
    int slot = index % 100;
    if (slot < 35) {
      return Role.CLINICIAN;
    }
    if (slot < 50) {
      return Role.SCHEDULER;
    }
    if (slot < 68) {
      return Role.CALL_CENTRE;
    }
    if (slot < 71) {
      return Role.ADMIN;
    }
    return Role.PORTAL_USER;
  }

  private static String residentialIp(Random random) {
    // Documentation-free, plausible consumer ranges; never contacted.
    int[] firstOctets = {24, 67, 73, 98, 108, 172, 174};
    return firstOctets[random.nextInt(firstOctets.length)]
        + "."
        + random.nextInt(256)
        + "."
        + random.nextInt(256)
        + "."
        + (1 + random.nextInt(254));
  }

  private static SimIntegration integration(
      SalesforceIds ids,
      Random random,
      String name,
      String app,
      LocalTime start,
      LocalTime end,
      long max,
      String ip) {
    SimUser user =
        new SimUser(
            ids.next("005"), name + ".integration@sim-health.example", Role.INTEGRATION, ip, true);
    return new SimIntegration(name, app, ids.next("0H4"), user, start, end, max, ip);
  }

  public long seed() {
    return seed;
  }

  public String orgId() {
    return orgId;
  }

  public String instanceUrl() {
    return instanceUrl;
  }

  public List<SimUser> people() {
    return people;
  }

  public List<SimUser> people(Role role) {
    return people.stream().filter(p -> p.role() == role).toList();
  }

  public List<SimIntegration> integrations() {
    return integrations;
  }

  public SimIntegration integration(String name) {
    return integrations.stream()
        .filter(i -> i.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no integration " + name));
  }

  public int patients() {
    return patients;
  }

  /** The org profile a security team would write for this org, as YAML. */
  public String profileYaml() {
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Org profile of the simulated healthcare org (seed ").append(seed).append(")\n");
    yaml.append("orgId: ").append(orgId).append('\n');
    yaml.append("name: Simulated Health Network\n");
    yaml.append("timeZone: ").append(TIME_ZONE.getId()).append('\n');
    yaml.append("businessHours:\n  start: \"")
        .append(BUSINESS_START)
        .append("\"\n  end: \"")
        .append(BUSINESS_END)
        .append("\"\n  days: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]\n");
    yaml.append("trustedNetworks:\n  - ")
        .append(OFFICE_NETWORK)
        .append("\n  - ")
        .append(INTEGRATION_NETWORK)
        .append('\n');
    yaml.append("phiObjects: [").append(String.join(", ", PHI_OBJECTS)).append("]\n");
    yaml.append("thresholds:\n  bulkReadRowsPer5Min: 100\n");
    yaml.append("changeWindow: {days: [SATURDAY], start: \"22:00\", end: \"02:00\"}\n");
    yaml.append(
        "phiFields:\n  Contact: [FirstName, LastName, Birthdate, MailingAddress, MailingPostalCode, Phone, Email, SSN__c]\n"
            + "  Patient_Record__c: [Name, FirstName, LastName, Birthdate, MailingPostalCode, Diagnosis__c, Medications__c, SSN__c]\n");
    yaml.append("integrations:\n");
    for (SimIntegration integration : integrations) {
      yaml.append("  - name: ").append(integration.name()).append('\n');
      yaml.append("    userIds: [").append(integration.user().id()).append("]\n");
      yaml.append("    connectedAppIds: [").append(integration.connectedAppId()).append("]\n");
      yaml.append("    runWindow: {start: \"")
          .append(integration.runStart())
          .append("\", end: \"")
          .append(integration.runEnd())
          .append("\"}\n");
      yaml.append("    maxRowsPer5Min: ").append(integration.maxRowsPer5Min()).append('\n');
      yaml.append(
          switch (integration.name()) {
            case "telehealth" ->
                "    objects: [Contact, Patient_Record__c]\n    fields:\n"
                    + "      Contact: [Id, FirstName, LastName, Birthdate, MailingPostalCode]\n"
                    + "      Patient_Record__c: [Id, FirstName, LastName, Birthdate, MailingPostalCode]\n";
            case "scheduling" -> "    objects: [Appointment__c, Contact]\n";
            case "patient-portal" ->
                "    objects: [Contact]\n    fields: {Contact: [Id, FirstName, LastName, Birthdate, MailingPostalCode]}\n";
            case "nightly-etl" ->
                "    objects: [Patient_Record__c]\n    fields: {Patient_Record__c: [Id, Name, Diagnosis__c, Provider__c]}\n";
            default -> "";
          });
    }
    return yaml.toString();
  }
}
