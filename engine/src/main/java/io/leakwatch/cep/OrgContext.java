package io.leakwatch.cep;

import io.leakwatch.profile.Cidr;
import io.leakwatch.profile.Integration;
import io.leakwatch.profile.OrgProfile;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The org profile as EPL sees it: rules call these methods on the variable {@code org}, e.g. {@code
 * ApiEvent(org.touchesPhi(QueriedEntities))}. Every method is null-safe, because any field of a
 * Salesforce event may be null.
 */
public final class OrgContext {
  private static final java.util.Set<String> CRITICAL_PERMISSIONS =
      java.util.Set.of(
          "viewalldata",
          "modifyalldata",
          "exportreport",
          "manageusers",
          "viewencrypteddata",
          "authorapex",
          "managesharing",
          "assignpermissionsets",
          "customizeapplication",
          "manageprofilespermissionsets",
          "transactionsecurityexempt",
          // Resets any internal user's password (an account takeover), and manages the keys of
          // Shield Platform Encryption, which protects the PHI fields at rest.
          "manageinternalusers",
          "manageencryptionkeys");

  private static final int PHI_OBJECT_LISTS_KEPT = 4096;
  // Users of the largest orgs, with room; past it a user is looked up each time (still correct).
  private static final int PRINCIPALS_KEPT = 1 << 20;

  private final OrgProfile profile;
  private final Map<String, String> phiObjectsByList = new ConcurrentHashMap<>();
  private final Map<String, Integration> integrationByUser = new HashMap<>();
  private final Map<String, Principal> principals = new ConcurrentHashMap<>();
  // The local day of the last event asked about; replaced, never changed, so a reader on another
  // thread sees a whole day or the one before.
  private volatile LocalDay localDay = new LocalDay(0, 0, java.time.DayOfWeek.MONDAY, true);

  public OrgContext(OrgProfile profile) {
    this.profile = profile;
    for (Integration integration : profile.integrations()) {
      for (String userId : integration.userIds()) {
        integrationByUser.put(normalizeUserId(userId), integration);
      }
    }
  }

  public OrgProfile profile() {
    return profile;
  }

  private volatile long watchedSince = Long.MAX_VALUE;

  /**
   * The event time from which the current rules have seen every event (start, restart or reload).
   */
  public void watchFrom(long eventTime) {
    watchedSince = eventTime;
  }

  /**
   * Whether the rules saw all of the 24 hours ending at {@code dayEnd}: a baseline built from a day
   * the engine only saw part of would be biased low.
   */
  public boolean wholeDayWatched(long dayEnd) {
    return dayEnd - 86_400_000L >= watchedSince;
  }

  /** Whether a QueriedEntities value (comma-separated object names) names any PHI object. */
  public boolean touchesPhi(String queriedEntities) {
    return !phiObjects(queriedEntities).isEmpty();
  }

  /** The PHI objects named in a QueriedEntities value, comma-separated, or "" when none. */
  public String phiObjects(String queriedEntities) {
    if (queriedEntities == null || queriedEntities.isEmpty()) {
      return "";
    }
    // An org's integrations and pages query the same few object lists over and over: every event
    // asks, so the answer for each list is kept (object names only; a full cache starts over).
    String known = phiObjectsByList.get(queriedEntities);
    if (known != null) {
      return known;
    }
    String found = findPhiObjects(queriedEntities);
    if (phiObjectsByList.size() >= PHI_OBJECT_LISTS_KEPT) {
      phiObjectsByList.clear();
    }
    phiObjectsByList.put(queriedEntities, found);
    return found;
  }

  private String findPhiObjects(String queriedEntities) {
    StringJoiner found = new StringJoiner(",");
    for (String object : queriedEntities.split(",")) {
      String name = object.trim();
      if (!name.isEmpty() && profile.phiObjects().contains(name.toLowerCase(Locale.ROOT))) {
        found.add(name);
      }
    }
    return found.toString();
  }

  public boolean isIntegration(String userId) {
    return integration(userId) != null;
  }

  /** The integration's name for a user id, or null for a person. */
  public String integrationName(String userId) {
    Integration integration = integration(userId);
    return integration == null ? null : integration.name();
  }

  public boolean isTrusted(String ip) {
    for (Cidr cidr : profile.trustedNetworks()) {
      if (cidr.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an action at {@code eventDate} (epoch millis) falls outside the hours this principal is
   * expected to work: business hours and days for people, the declared run window for integrations.
   */
  public boolean isOutsideHours(String userId, long eventDate) {
    LocalDay day = localDay;
    if (!day.covers(eventDate)) {
      day = LocalDay.of(eventDate, profile.timeZone());
      localDay = day;
    }
    LocalTime time = day.timeOf(eventDate, profile.timeZone());
    Integration integration = integration(userId);
    if (integration != null) {
      return !integration.runWindow().contains(time);
    }
    return !profile.businessDays().contains(day.dayOfWeek())
        || !profile.businessHours().contains(time);
  }

  /** Patient rows this principal may read in five minutes before it counts as a bulk read. */
  public long bulkThreshold(String userId) {
    Integration integration = integration(userId);
    return integration == null ? profile.bulkReadThreshold() : integration.maxRowsPer5Min();
  }

  /** Distinct PHI records a person may open in the UI in ten minutes. */
  public long uiViewAllowance(String userId) {
    return profile.uiRecordViewsPer10Min();
  }

  /** Files a person may download in thirty minutes (previews are not downloads). */
  public long fileDownloadAllowance(String userId) {
    return profile.fileDownloadsPer30Min();
  }

  /** Whether the user is an integration that declared it downloads files. */
  public boolean downloadsFiles(String userId) {
    Integration integration = integration(userId);
    return integration != null && integration.downloadsFiles();
  }

  /**
   * The PHI object a SOQL query reads (its FROM object), or "" when it reads none or cannot be
   * parsed. Only the object name is taken: literals in the query are never looked at.
   */
  public String phiObjectOfQuery(String query) {
    io.leakwatch.soql.SoqlSelect select = io.leakwatch.soql.SoqlSelect.parse(query);
    if (select == null) {
      return "";
    }
    Set<String> found = new java.util.LinkedHashSet<>();
    String outer = phiObjects(select.object());
    if (!outer.isEmpty()) {
      found.add(outer);
    }
    addRelatedPhiObjects(select, found);
    return String.join(",", found);
  }

  /**
   * The PHI objects a query reaches through relationships: a path of the select list ({@code
   * Contact.SSN__c}, {@code Patient_Record__r.Name}) and a subquery ({@code (SELECT … FROM
   * Contacts)}), by Salesforce's naming of relationships. A Bulk job's query is all
   * BulkApiResultEvent says of what it read, and {@code SELECT Contact.SSN__c FROM Case} reads
   * patients.
   */
  private void addRelatedPhiObjects(io.leakwatch.soql.SoqlSelect select, Set<String> found) {
    for (String field : select.fields()) {
      String object = phiObjectNamedBy(field);
      if (object != null) {
        found.add(object);
      }
    }
    for (io.leakwatch.soql.SoqlSelect subquery : select.subqueries()) {
      String object = phiObjectNamedBy(subquery.object());
      if (object != null) {
        found.add(object);
      }
      addRelatedPhiObjects(subquery, found);
    }
  }

  private String phiObjectNamedBy(String relationship) {
    for (String object : objectNamesOf(relationship)) {
      if (profile.phiObjects().contains(object.toLowerCase(Locale.ROOT))) {
        return object;
      }
    }
    return null;
  }

  /**
   * The object names a relationship can stand for, spelt as the relationship is: itself, its
   * singular (Contacts: Contact, Histories: History), and for a custom one the object behind {@code
   * __r} (Patient_Records__r: Patient_Record__c).
   */
  private static List<String> objectNamesOf(String relationship) {
    boolean custom = relationship.regionMatches(true, relationship.length() - 3, "__r", 0, 3);
    String base = custom ? relationship.substring(0, relationship.length() - 3) : relationship;
    String suffix = custom ? "__c" : "";
    String lower = base.toLowerCase(Locale.ROOT);
    List<String> names = new ArrayList<>();
    names.add(base + suffix);
    if (lower.endsWith("ies")) {
      names.add(base.substring(0, base.length() - 3) + "y" + suffix);
    }
    if (lower.endsWith("es")) {
      names.add(base.substring(0, base.length() - 2) + suffix);
    }
    if (lower.endsWith("s")) {
      names.add(base.substring(0, base.length() - 1) + suffix);
    }
    return names;
  }

  /** Whether a SOQL query can be read at all (a FROM object is found). */
  public boolean readableQuery(String query) {
    return io.leakwatch.soql.SoqlSelect.parse(query) != null;
  }

  /**
   * The critical permissions (those that open every record or every export) in a PermissionList
   * value (a JSON array or a comma list), comma-separated, or "" when none.
   */
  public String criticalPermissions(String permissionList) {
    String names = EventValues.permissionNames(permissionList);
    if (names.isEmpty()) {
      return "";
    }
    StringJoiner found = new StringJoiner(",");
    for (String permission : names.split(",")) {
      String name = permission.trim();
      if (CRITICAL_PERMISSIONS.contains(name.toLowerCase(Locale.ROOT))) {
        found.add(name);
      }
    }
    return found.toString();
  }

  /** Whether any id in a comma-separated list of user ids is an integration user. */
  public boolean anyIntegration(String userIds) {
    if (userIds == null) {
      return false;
    }
    for (String id : userIds.split(",")) {
      if (isIntegration(id.trim())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The PHI objects in a QueriedEntities value that an integration did not declare in its scope,
   * comma-separated; "" for people, for integrations without a declared scope, and when all are in
   * scope.
   */
  public String outsideScope(String userId, String queriedEntities) {
    Integration integration = integration(userId);
    if (integration == null || integration.objects().isEmpty()) {
      return "";
    }
    StringJoiner outside = new StringJoiner(",");
    for (String object : phiObjects(queriedEntities).split(",")) {
      if (!object.isEmpty() && !integration.objects().contains(object.toLowerCase(Locale.ROOT))) {
        outside.add(object);
      }
    }
    return outside.toString();
  }

  /**
   * Whether {@code eventDate} falls in the org's declared change window (never, when none is
   * declared).
   */
  public boolean inChangeWindow(long eventDate) {
    OrgProfile.ChangeWindow window = profile.changeWindow();
    if (window == null) {
      return false;
    }
    ZonedDateTime local = Instant.ofEpochMilli(eventDate).atZone(profile.timeZone());
    // A window that wraps midnight belongs to the day it starts on.
    ZonedDateTime day =
        window.hours().end().isBefore(window.hours().start())
                && local.toLocalTime().isBefore(window.hours().end())
            ? local.minusDays(1)
            : local;
    return window.days().contains(day.getDayOfWeek())
        && window.hours().contains(local.toLocalTime());
  }

  /** The debug-log objects (ApexLog, EventLogFile) named in a QueriedEntities value, or "". */
  public String debugLogObjects(String queriedEntities) {
    return matching(
        queriedEntities,
        name -> name.equalsIgnoreCase("ApexLog") || name.equalsIgnoreCase("EventLogFile"));
  }

  /**
   * The external objects (Salesforce Connect, {@code __x}) marked PHI named in a QueriedEntities
   * value, or "".
   */
  public String externalPhiObjects(String queriedEntities) {
    return matching(
        queriedEntities,
        name ->
            name.toLowerCase(Locale.ROOT).endsWith("__x")
                && profile.phiObjects().contains(name.toLowerCase(Locale.ROOT)));
  }

  private static String matching(
      String queriedEntities, java.util.function.Predicate<String> test) {
    if (queriedEntities == null || queriedEntities.isEmpty()) {
      return "";
    }
    StringJoiner found = new StringJoiner(",");
    for (String object : queriedEntities.split(",")) {
      String name = object.trim();
      if (!name.isEmpty() && test.test(name)) {
        found.add(name);
      }
    }
    return found.toString();
  }

  /**
   * What an integration's query selects beyond its declared scope, as {@code Object.Field} names
   * (or {@code Object.*} for an undeclared PHI object), comma-separated; "" for people, for
   * integrations without a declared scope and for queries within it. Names only: literals in the
   * query are never parsed out.
   */
  public String overFetched(String userId, String query) {
    return overFetched(userId, query, null);
  }

  /**
   * {@link #overFetched(String, String)}, also judging every object the query read by its
   * QueriedEntities: a subquery ({@code SELECT Id, (SELECT SSN__c FROM Contacts) FROM Account}
   * reads "Account, Contact") or a relationship path reads objects the outer FROM does not name.
   * Each undeclared PHI object is {@code Object.*}.
   */
  public String overFetched(String userId, String query, String queriedEntities) {
    Integration integration = integration(userId);
    if (integration == null
        || (integration.objects().isEmpty() && integration.fields().isEmpty())) {
      return "";
    }
    io.leakwatch.soql.SoqlSelect select = io.leakwatch.soql.SoqlSelect.parse(query);
    if (select == null) {
      return ""; // no query to judge: an undeclared object read some other way is another rule's
    }
    Set<String> extra = new java.util.LinkedHashSet<>();
    for (String object : outsideScope(userId, queriedEntities).split(",")) {
      if (!object.isEmpty()) {
        extra.add(object + ".*");
      }
    }
    extra.addAll(outerSelectOverFetched(integration, select));
    List<String> children = childObjects(select.object(), queriedEntities);
    for (io.leakwatch.soql.SoqlSelect subquery : select.subqueries()) {
      extra.addAll(subqueryOverFetched(integration, subquery, children));
    }
    return String.join(",", extra);
  }

  /** The objects QueriedEntities names besides the outer FROM: what the subqueries can read. */
  private static List<String> childObjects(String outer, String queriedEntities) {
    List<String> children = new ArrayList<>();
    if (queriedEntities == null) {
      return children;
    }
    for (String entity : queriedEntities.split(",")) {
      String name = entity.trim();
      if (!name.isEmpty() && !name.equalsIgnoreCase(outer)) {
        children.add(name);
      }
    }
    return children;
  }

  /**
   * What a subquery ({@code (SELECT LastName, SSN__c FROM Contacts)}) reads beyond the declared
   * fields of its object. The query names the child relationship, not the object: the object is the
   * one of QueriedEntities the relationship is named after (Contacts: Contact, Patient_Records__r:
   * Patient_Record__c), or the only child object there is. When neither tells, a field counts as
   * extra only if no PHI object the query read declares it.
   */
  private List<String> subqueryOverFetched(
      Integration integration, io.leakwatch.soql.SoqlSelect subquery, List<String> children) {
    List<String> extra = new ArrayList<>();
    String object = relationshipObject(subquery.object(), children);
    List<String> candidates = object != null ? List.of(object) : children;
    String named = null;
    List<Set<String>> declaredLists = new ArrayList<>();
    for (String candidate : candidates) {
      String lower = candidate.toLowerCase(Locale.ROOT);
      if (!profile.phiObjects().contains(lower)) {
        continue; // a non-PHI object's fields are not the scope's business
      }
      Set<String> declared = integration.fields().get(lower);
      if (declared == null) {
        // A PHI object with no field list: any field of it is in scope (an undeclared object is
        // outsideScope's Object.*), so nothing this subquery selects can be told extra.
        return extra;
      }
      declaredLists.add(declared);
      if (named == null) {
        named = candidate;
      }
    }
    if (named != null) {
      for (String field : subquery.fields()) {
        String lower = field.toLowerCase(Locale.ROOT);
        if (declaredLists.stream().noneMatch(declared -> declared.contains(lower))) {
          extra.add(named + "." + field);
        }
      }
    }
    for (io.leakwatch.soql.SoqlSelect nested : subquery.subqueries()) {
      extra.addAll(subqueryOverFetched(integration, nested, children));
    }
    return extra;
  }

  /**
   * The object of QueriedEntities a child relationship is named after, or the only one; else null.
   */
  private static String relationshipObject(String relationship, List<String> children) {
    for (String name : objectNamesOf(relationship)) {
      for (String child : children) {
        if (child.equalsIgnoreCase(name)) {
          return child;
        }
      }
    }
    return children.size() == 1 ? children.get(0) : null;
  }

  /** What the outer SELECT … FROM reads beyond the declared objects and fields. */
  private List<String> outerSelectOverFetched(
      Integration integration, io.leakwatch.soql.SoqlSelect select) {
    String object = select.object().toLowerCase(Locale.ROOT);
    if (!profile.phiObjects().contains(object)) {
      return List.of();
    }
    if (!integration.objects().isEmpty() && !integration.objects().contains(object)) {
      return List.of(select.object() + ".*");
    }
    Set<String> declared = integration.fields().get(object);
    if (declared == null) {
      return List.of();
    }
    List<String> extra = new ArrayList<>();
    for (String field : select.fields()) {
      if (!declared.contains(field.toLowerCase(Locale.ROOT))) {
        extra.add(select.object() + "." + field);
      }
    }
    return extra;
  }

  /**
   * How many of the {@code Object.Field} names hold PHI per the catalog (an uncatalogued PHI
   * object: all).
   */
  public long phiFieldCount(String objectFields) {
    if (objectFields == null || objectFields.isEmpty()) {
      return 0;
    }
    long count = 0;
    for (String name : objectFields.split(",")) {
      int dot = name.indexOf('.');
      String object = name.substring(0, Math.max(0, dot)).toLowerCase(Locale.ROOT);
      String field = name.substring(dot + 1).toLowerCase(Locale.ROOT);
      Set<String> catalog = profile.phiFields().get(object);
      if (profile.phiObjects().contains(object)
          && (catalog == null || field.equals("*") || catalog.contains(field))) {
        count++;
      }
    }
    return count;
  }

  private Integration integration(String userId) {
    return userId == null ? null : principal(userId).integration();
  }

  /**
   * The first instance of this user id the org sent, the same for every later event: windows and
   * tables then hold one string per user instead of one per event, and the many per-user lookups of
   * the rules find their key by reference instead of comparing characters.
   */
  String sameUserId(String userId) {
    return userId == null ? null : principal(userId).id();
  }

  // Each user's integration (or none) looked up once: the profile is keyed by the 15-character id,
  // and cutting an 18-character id down per call made a new string each time.
  private Principal principal(String userId) {
    Principal known = principals.get(userId);
    if (known != null) {
      return known;
    }
    Principal found = new Principal(userId, integrationByUser.get(normalizeUserId(userId)));
    if (principals.size() >= PRINCIPALS_KEPT) {
      return found;
    }
    Principal raced = principals.putIfAbsent(userId, found);
    return raced != null ? raced : found;
  }

  private record Principal(String id, Integration integration) {}

  /** 15- and 18-character ids of the same user compare equal. */
  private static String normalizeUserId(String userId) {
    return userId.length() == 18 ? userId.substring(0, 15) : userId;
  }
}
