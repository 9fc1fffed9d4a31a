package io.leakwatch.sim.org;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * What the simulated org's setup says about itself, as its REST and Tooling APIs serve it: objects
 * and fields with their data classification (FieldDefinition {@code ComplianceGroup}, {@code
 * SecurityClassification}), users with profile and licence, permission set assignments carrying
 * critical permissions, connected apps and the OAuth tokens users hold, the time zone and default
 * business hours. Never a record: no patient value exists here. The same for the same org.
 */
public final class OrgMetadata {
  /** A field as FieldDefinition describes it; null classification when nobody set one. */
  public record Field(
      String entity, String name, String complianceGroup, String securityClassification) {}

  /** A user as the User object describes it (profile and licence by name). */
  public record User(
      String id,
      String username,
      String userType,
      String profileName,
      String licenseName,
      boolean active) {}

  /**
   * A permission set (or a profile's own permission set) assigned to a user, with the critical
   * permissions it grants by API name without the {@code Permissions} prefix (ViewAllData, …).
   */
  public record Assignment(
      String assigneeId, String permissionSetName, boolean ownedByProfile, Set<String> grants) {}

  public record ConnectedApp(String id, String name) {}

  public record OauthToken(String id, String userId, String appName) {}

  /** Fields Salesforce creates on every object: never classified. */
  private static final List<String> SYSTEM_FIELDS =
      List.of("Id", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp");

  public static final String MOBILE_APP = "Salesforce for iOS";

  private final SimulatedOrg org;
  private final List<Field> fields = new ArrayList<>();
  private final List<User> users = new ArrayList<>();
  private final List<Assignment> assignments = new ArrayList<>();
  private final List<ConnectedApp> apps = new ArrayList<>();
  private final List<OauthToken> tokens = new ArrayList<>();

  private OrgMetadata(SimulatedOrg org) {
    this.org = org;
  }

  public static OrgMetadata of(SimulatedOrg org) {
    OrgMetadata m = new OrgMetadata(org);
    m.catalog();
    m.directory();
    return m;
  }

  /** The classified fields match the hand-written profile's phiObjects and phiFields. */
  private void catalog() {
    entity(
        "Contact",
        Map.of(
            "FirstName", "PII;HIPAA",
            "LastName", "PII;HIPAA",
            "Birthdate", "HIPAA",
            "MailingAddress", "PII;HIPAA",
            "MailingPostalCode", "HIPAA",
            "Phone", "PII",
            "Email", "PII",
            "SSN__c", "PII;HIPAA"),
        List.of("AccountId", "Title", "Department", "LeadSource", "Description"));
    entity(
        "Patient_Record__c",
        Map.of(
            "Name", "HIPAA",
            "FirstName", "PII;HIPAA",
            "LastName", "PII;HIPAA",
            "Birthdate", "HIPAA",
            "MailingPostalCode", "HIPAA",
            "Diagnosis__c", "HIPAA",
            "Medications__c", "HIPAA",
            "SSN__c", "PII;HIPAA"),
        List.of("Provider__c", "Status__c", "Facility__c"));
    // Every field of a clinical note and of the EHR's external patients is PHI.
    entity(
        "Clinical_Note__c",
        Map.of("Name", "HIPAA", "Body__c", "HIPAA", "Patient__c", "HIPAA", "Note_Date__c", "HIPAA"),
        List.of());
    entity(
        "EHR_Patient__x",
        Map.of(
            "ExternalId", "HIPAA",
            "DisplayUrl", "HIPAA",
            "MRN__c", "HIPAA",
            "Name__c", "PII;HIPAA",
            "Birthdate__c", "HIPAA"),
        List.of());
    // Classified, but not as PHI: counted only when an operator asks for these groups.
    entity("Account", Map.of("Phone", "GDPR"), List.of("Name", "Industry", "BillingCity"));
    entity("Appointment__c", Map.of(), List.of("Name", "Contact__c", "Start__c", "Room__c"));
    entity("Case", Map.of(), List.of("Subject", "Status", "Priority", "ContactId"));
  }

  private void entity(String entity, Map<String, String> classified, List<String> other) {
    boolean external = entity.endsWith("__x");
    for (String system : SYSTEM_FIELDS) {
      if (!external || system.equals("Id")) {
        fields.add(new Field(entity, system, null, null));
      }
    }
    classified.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                fields.add(
                    new Field(
                        entity,
                        e.getKey(),
                        e.getValue(),
                        e.getValue().contains("HIPAA") ? "Restricted" : "Confidential")));
    for (String name : other) {
      fields.add(new Field(entity, name, null, name.equals("Name") ? "Internal" : null));
    }
  }

  private void directory() {
    Random random = new Random(org.seed() * 7 + 3);
    SalesforceIds ids = new SalesforceIds(random);
    Map<String, String> appIds = new LinkedHashMap<>();
    for (SimIntegration integration : org.integrations()) {
      appIds.put(integration.appName(), integration.connectedAppId());
    }
    appIds.put(MOBILE_APP, ids.next("0H4"));
    appIds.forEach((name, id) -> apps.add(new ConnectedApp(id, name)));

    int schedulers = 0;
    int clinicians = 0;
    for (SimUser person : org.people()) {
      String profile =
          switch (person.role()) {
            case CLINICIAN -> "Clinician";
            case SCHEDULER -> "Front Desk";
            case CALL_CENTRE -> "Call Centre Agent";
            case ADMIN -> "System Administrator";
            case PORTAL_USER -> "Patient Community User";
            case INTEGRATION -> "Integration";
          };
      boolean portal = person.role() == Role.PORTAL_USER;
      users.add(
          new User(
              person.id(),
              person.username(),
              portal ? "CspLitePortal" : "Standard",
              profile,
              portal ? "Customer Community" : "Salesforce",
              true));
      if (person.role() == Role.ADMIN) {
        assignments.add(
            new Assignment(
                person.id(),
                "X00ex000000SysAdmin",
                true,
                Set.of(
                    "ViewAllData",
                    "ModifyAllData",
                    "ManageUsers",
                    "ExportReport",
                    "AuthorApex",
                    "CustomizeApplication")));
      }
      if (person.role() == Role.SCHEDULER && schedulers++ < 2) {
        assignments.add(
            new Assignment(person.id(), "Report_Exporters", false, Set.of("ExportReport")));
      }
      if (person.role() == Role.CLINICIAN && clinicians++ < 12) {
        tokens.add(new OauthToken(ids.next("0CQ"), person.id(), MOBILE_APP));
      }
    }
    // Three ways an org marks its integration users: the Salesforce Integration licence, an
    // API-only profile, or just a connected app's token held by a dedicated user.
    for (SimIntegration integration : org.integrations()) {
      SimUser user = integration.user();
      String profile;
      String license;
      switch (integration.name()) {
        case "nightly-etl" -> {
          profile = "Integration API Only";
          license = "Salesforce";
          assignments.add(
              new Assignment(
                  user.id(), "X00ex000000ApiOnly", true, Set.of("ApiUserOnly", "ViewAllData")));
        }
        case "patient-portal" -> {
          profile = "Portal Service";
          license = "Salesforce";
        }
        default -> {
          profile = "Minimum Access - API Only Integrations";
          license = "Salesforce Integration";
        }
      }
      users.add(new User(user.id(), user.username(), "Standard", profile, license, true));
      tokens.add(new OauthToken(ids.next("0CQ"), user.id(), integration.appName()));
    }
    // A user who left: inactive users are not read.
    users.add(
        new User(
            ids.next("005"),
            "former.contractor@sim-health.example",
            "Standard",
            "Minimum Access - API Only Integrations",
            "Salesforce Integration",
            false));
  }

  public List<Field> fields() {
    return List.copyOf(fields);
  }

  public List<String> entities() {
    return fields.stream().map(Field::entity).distinct().toList();
  }

  public List<User> users() {
    return List.copyOf(users);
  }

  public List<Assignment> assignments() {
    return List.copyOf(assignments);
  }

  public List<ConnectedApp> connectedApps() {
    return List.copyOf(apps);
  }

  public List<OauthToken> oauthTokens() {
    return List.copyOf(tokens);
  }

  /** The org's time zone, as Organization.TimeZoneSidKey names it. */
  public String timeZone() {
    return SimulatedOrg.TIME_ZONE.getId();
  }

  /** The default business hours: Monday to Friday, 07:00–19:00; closed at weekends. */
  public String businessStart() {
    return SimulatedOrg.BUSINESS_START.toString();
  }

  public String businessEnd() {
    return SimulatedOrg.BUSINESS_END.toString();
  }

  /** Test hook: a field someone classified after the profile was written. */
  public OrgMetadata withField(Field field) {
    fields.add(field);
    return this;
  }

  /** Test hook: a permission set assigned after the profile was written. */
  public OrgMetadata withAssignment(Assignment assignment) {
    assignments.add(assignment);
    return this;
  }

  /** Test hook: a new user (e.g. a new integration user). */
  public OrgMetadata withUser(User user) {
    users.add(user);
    return this;
  }
}
