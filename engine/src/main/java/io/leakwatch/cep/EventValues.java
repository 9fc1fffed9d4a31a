package io.leakwatch.cep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the values of Salesforce's event fields mean, as documented per stream (Platform Events
 * Developer Guide, API v62–v67), for EPL: each public method is a single-row function rules call by
 * name, e.g. {@code rowsRead(Operation, RowsProcessed, RowsReturned)}. Every method takes nulls,
 * and none guesses in the direction of an alert.
 */
public final class EventValues {
  private static final Set<String> GRANTS = Set.of("assignedtousers", "permsenabled");
  private static final Set<String> REMOVALS = Set.of("unassignedfromusers", "permsdisabled");

  /**
   * Threat Detection types scoring 0–1. GuestUserAnomalyEvent's docs say 0–1; LoginAnomalyEvent's
   * print no scale and are read the same way (a value above 1 is taken as already 0–100).
   */
  private static final Set<String> UNIT_SCALE =
      Set.of(
          "SessionHijackingEvent", "ApiAnomalyEvent", "LoginAnomalyEvent", "GuestUserAnomalyEvent");

  /** Single-row functions EPL can call, by name. */
  static final List<String> FUNCTIONS =
      List.of(
          "rowsRead",
          "isAddress",
          "isBulkApi",
          "isGrant",
          "isRemoval",
          "permissionNames",
          "isReportExport",
          "isStoredPassword",
          "isInteractiveLogin",
          "normalizedScore",
          "countOf",
          "ids",
          "isFileDownload",
          "isFilePreview",
          "isRecordRead",
          "isApiReportRun",
          "isFailure",
          "withId",
          "withName");

  private EventValues() {}

  /**
   * Rows one ApiEvent read, so that a query paged through {@code queryMore} counts once: {@code
   * RowsReturned} (rows of this batch) when present; otherwise {@code RowsProcessed} (the
   * operation's total, repeated on every batch) for the first call only, 0 for a {@code QueryMore}.
   * {@code RowsProcessed} −1 (a big object larger than one batch) is unknown: 0.
   */
  public static double rowsRead(String operation, Double rowsProcessed, Double rowsReturned) {
    if (rowsReturned != null && rowsReturned >= 0) {
      return rowsReturned;
    }
    if (operation != null && operation.trim().equalsIgnoreCase("QueryMore")) {
      return 0;
    }
    return rowsProcessed == null || rowsProcessed < 0 ? 0 : rowsProcessed;
  }

  /**
   * Whether a SourceIp value is a literal IPv4 or IPv6 address. "Salesforce.com IP" (calls from
   * inside Salesforce), null, "" and anything else are not: never an untrusted network, never a
   * second address.
   */
  public static boolean isAddress(String value) {
    return value != null && io.leakwatch.profile.Cidr.isLiteralAddress(value.trim());
  }

  /** ApiType "Bulk", "Bulk API", "Bulk API 2.0": by prefix, case-insensitively. */
  public static boolean isBulkApi(String apiType) {
    return apiType != null && apiType.trim().toLowerCase(Locale.ROOT).startsWith("bulk");
  }

  /** PermissionSetEvent Operation AssignedToUsers or PermsEnabled. */
  public static boolean isGrant(String operation) {
    return operation != null && GRANTS.contains(operation.trim().toLowerCase(Locale.ROOT));
  }

  /** PermissionSetEvent Operation UnassignedFromUsers or PermsDisabled: never a grant. */
  public static boolean isRemoval(String operation) {
    return operation != null && REMOVALS.contains(operation.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * The permission API names in a PermissionList value, comma-separated without spaces. The docs
   * type the field as json without printing its text form, so both a JSON array ({@code
   * ["ViewAllData","AuthorApex"]}) and a comma list ({@code ViewAllData, AuthorApex}) are read.
   */
  public static String permissionNames(String permissionList) {
    if (permissionList == null || permissionList.isBlank()) {
      return "";
    }
    List<String> names = new ArrayList<>();
    for (String part : permissionList.split("[,\\[\\]\\s]+")) {
      String name = part.replace("\"", "").trim();
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return String.join(",", names);
  }

  /**
   * ReportEvent Operation ReportExported, ReportExportedAsynchronously or
   * ReportExportedUsingExcelConnector (and any later ReportExported… value): an export, whether or
   * not ExportFileFormat is filled in.
   */
  public static boolean isReportExport(String operation) {
    return operation != null
        && operation.trim().toLowerCase(Locale.ROOT).startsWith("reportexported");
  }

  /**
   * Whether a login used a stored password: SOAP {@code login()} (LoginType "Other Apex API",
   * "Partner Product") or the OAuth username-password flow, which LoginType labels "Remote Access
   * 2.0" like every OAuth flow and LoginSubType names by API name ({@code OauthUsernamePassword})
   * or by label, depending on the source.
   */
  public static boolean isStoredPassword(String loginType, String loginSubType) {
    String type = loginType == null ? "" : loginType.trim().toLowerCase(Locale.ROOT);
    if (type.equals("other apex api") || type.equals("partner product")) {
      return true;
    }
    String subType =
        loginSubType == null ? "" : loginSubType.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    return subType.contains("usernamepassword");
  }

  /**
   * Whether a login was a person's, in a browser: LoginType "Application" (the UI) or a single
   * sign-on ("SAML Idp Initiated SSO", "SAML Sp Initiated SSO", "Third Party SSO"), which also ends
   * in a browser session. API and OAuth logins are not.
   */
  public static boolean isInteractiveLogin(String loginType) {
    String type = loginType == null ? "" : loginType.trim().toLowerCase(Locale.ROOT);
    return type.equals("application") || type.endsWith(" sso");
  }

  /**
   * A Threat Detection Score on one 0–100 scale: session hijacking and API anomaly score 0–1,
   * credential stuffing is always 1 (a detection is a detection), report anomaly scores 0–100. A
   * 0–1 type sending more than 1 is taken as already on 0–100, not multiplied past the scale.
   */
  public static double normalizedScore(String eventType, Double score) {
    if (eventType != null && eventType.equals("CredentialStuffingEvent")) {
      return 100;
    }
    if (score == null || score.isNaN() || score < 0) {
      return 0;
    }
    boolean unitScale = eventType != null && UNIT_SCALE.contains(eventType);
    double scaled = unitScale && score <= 1 ? score * 100 : score;
    return Math.min(100, Math.round(scaled * 10) / 10.0);
  }

  /**
   * FileEvent FileAction API_DOWNLOAD or UI_DOWNLOAD (and any later …_DOWNLOAD value): the file
   * left Salesforce. PREVIEW and UPLOAD are not downloads.
   */
  public static boolean isFileDownload(String fileAction) {
    return fileAction != null && fileAction.trim().toUpperCase(Locale.ROOT).endsWith("DOWNLOAD");
  }

  /** FileEvent FileAction PREVIEW: the file was shown, not saved. Counted apart from downloads. */
  public static boolean isFilePreview(String fileAction) {
    return fileAction != null && fileAction.trim().equalsIgnoreCase("PREVIEW");
  }

  /**
   * LightningUriEvent / UriEvent Operation Read: a record was opened (Create, Update and Delete are
   * edits the user made, not views).
   */
  public static boolean isRecordRead(String operation) {
    return operation != null && operation.trim().equalsIgnoreCase("Read");
  }

  /** UriEvent OperationStatus FAILURE: the operation did not happen. Null is not a failure. */
  public static boolean isFailure(String operationStatus) {
    return operationStatus != null && operationStatus.trim().equalsIgnoreCase("FAILURE");
  }

  /**
   * A report run through the Reports REST API: ReportEvent Operation ReportRunFromRestApi (and the
   * like, e.g. a later …RestApi or …FromApi value), or EventSource API.
   */
  public static boolean isApiReportRun(String operation, String eventSource) {
    String op = operation == null ? "" : operation.trim().toLowerCase(Locale.ROOT);
    return op.startsWith("reportrun") && (op.contains("restapi") || op.endsWith("api"))
        || (eventSource != null && eventSource.trim().equalsIgnoreCase("API"));
  }

  /** A count sent as text ({@code UserCount} is a string in the docs): its number, or 0. */
  public static long countOf(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    try {
      return (long) Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Evidence ids: {@code first} followed by those of {@code more} (an array, or null). */
  public static String[] ids(String first, Object more) {
    List<String> all = new ArrayList<>();
    if (first != null) {
      all.add(first);
    }
    if (more instanceof Object[] array) {
      for (Object id : array) {
        if (id != null && !all.contains(id.toString())) {
          all.add(id.toString());
        }
      }
    }
    return all.toArray(String[]::new);
  }

  /**
   * {@code ids} with {@code id} appended, for evidence kept in a table row: at most {@link
   * EsperDetector#MAX_EVIDENCE} ids (the first ones), each once.
   */
  public static String[] withId(String[] ids, String id) {
    String[] base = ids == null ? new String[0] : ids;
    if (id == null || base.length >= EsperDetector.MAX_EVIDENCE || List.of(base).contains(id)) {
      return base;
    }
    String[] out = java.util.Arrays.copyOf(base, base.length + 1);
    out[base.length] = id;
    return out;
  }

  /** A comma-separated list of names with each name of {@code more} (also comma-separated) once. */
  public static String withName(String names, String more) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
    for (String list : new String[] {names, more}) {
      if (list != null) {
        for (String name : list.split(",")) {
          if (!name.isBlank()) {
            all.add(name.trim());
          }
        }
      }
    }
    return String.join(",", all);
  }
}
