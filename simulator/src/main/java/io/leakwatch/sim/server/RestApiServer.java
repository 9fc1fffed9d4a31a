package io.leakwatch.sim.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.rest.LoginHistoryFields;
import io.leakwatch.sim.org.LoginHistory;
import io.leakwatch.sim.org.OrgMetadata;
import io.leakwatch.sim.org.OrgQueries;
import io.leakwatch.sim.org.SalesforceIds;
import io.leakwatch.sim.org.StoredEvents;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the Salesforce REST API that Leakwatch uses, over HTTPS on loopback: the org's {@code
 * LoginHistory} by SOQL from a LoginTime on, paged through {@code nextRecordsUrl} (only the running
 * user's own logins while it lacks "Manage Users" and "Monitor Login History"), and the running
 * user's {@code UserPermissionAccess} for those two permissions; SOQL queries of {@code UserLogin},
 * {@code OauthToken} and {@code AuthSession} by user, PATCH of {@code UserLogin.IsFrozen}, DELETE
 * of an {@code AuthSession}, and {@code /services/oauth2/revoke}. Serving an org's {@link
 * OrgMetadata} and {@link StoredEvents}, it also answers what discovery reads through the REST and
 * Tooling query endpoints: Organization, BusinessHours, EntityDefinition, FieldDefinition (with
 * ComplianceGroup and SecurityClassification), User, PermissionSetAssignment, ConnectedApplication,
 * OauthToken, and the ApiEvent, LoginEvent and ReportEvent big objects by EventDate range, all
 * paged like any query. Requests to {@code /services/data} need a bearer token {@code tokens}
 * accepts. It records every call (method and path, never a token) so tests can see what was done,
 * and fails on demand.
 */
public final class RestApiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern QUERY =
      Pattern.compile(
          "SELECT\\s+([\\w\\s,]+?)\\s+FROM\\s+(UserLogin|OauthToken|AuthSession)\\s+WHERE\\s+(UserId|UsersId)\\s*=\\s*'([A-Za-z0-9]{15,18})'",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern DATA = Pattern.compile("/services/data/v(\\d+\\.\\d)(/.*)");
  private static final Pattern LOGIN_HISTORY_QUERY =
      Pattern.compile(
          "SELECT\\s+([\\w\\s,]+?)\\s+FROM\\s+LoginHistory\\s+WHERE\\s+LoginTime\\s*>=\\s*(\\S+)"
              + "\\s+ORDER\\s+BY\\s+LoginTime\\s*,\\s*Id",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern USER_PERMISSION_ACCESS =
      Pattern.compile(
          "SELECT\\s+([\\w\\s,]+?)\\s+FROM\\s+UserPermissionAccess\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern NEXT_PAGE = Pattern.compile("/query/(01g[A-Za-z0-9]+)-(\\d+)");
  private static final Pattern BATCH_SIZE = Pattern.compile("batchSize=(\\d+)");

  private record Login(String id, String userId, boolean frozen) {}

  private record Token(String id, String userId, String appName, String deleteToken) {}

  private record Session(String id, String userId) {}

  private record Failure(int status, String errorCode) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Predicate<String> tokens;
  private final SalesforceIds ids = new SalesforceIds(new Random(41));
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Login> logins = new ConcurrentHashMap<>();
  private final Map<String, Token> oauthTokens = new ConcurrentHashMap<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger passesLeft = new AtomicInteger();
  private volatile Failure failure;
  private final String baseUrl;
  private volatile LoginHistory loginHistory = new LoginHistory(java.util.Set.of());
  private volatile int pageSize = 2_000;
  private volatile boolean manageUsers = true;
  private volatile Boolean monitorLoginHistory = false;
  private volatile String runningUser = "005000000000001AAA";
  private volatile OrgQueries metadata;
  private final Map<String, Failure> refusedObjects = new ConcurrentHashMap<>();
  private final java.util.Set<String> setupCursors = ConcurrentHashMap.newKeySet();
  private final Map<String, List<ObjectNode>> cursors = new ConcurrentHashMap<>();
  private final AtomicInteger cursorIds = new AtomicInteger();

  private RestApiServer(SelfSignedCertificate tls, Predicate<String> tokens) throws Exception {
    this.tokens = tokens;
    this.server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setHost("127.0.0.1")
                    .setPort(0)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertPath(tls.certificate().toString())
                            .setKeyPath(tls.privateKey().toString())))
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(body -> handle(request, body))
                        .onFailure(e -> request.response().setStatusCode(400).end()));
    server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    baseUrl = "https://localhost:" + server.actualPort();
  }

  /**
   * Starts on loopback with the given certificate; {@code tokens} says which bearer tokens are
   * valid.
   */
  public static RestApiServer start(SelfSignedCertificate tls, Predicate<String> tokens)
      throws Exception {
    return new RestApiServer(tls, tokens);
  }

  /** The instance URL clients call. */
  public String url() {
    return baseUrl;
  }

  /** Serves {@code history} to SOQL queries of LoginHistory. */
  public RestApiServer serving(LoginHistory history) {
    this.loginHistory = history;
    return this;
  }

  /**
   * Serves the org's setup ({@code metadata}) and stored event history ({@code stored}) to the
   * queries {@code profile discover} makes.
   */
  public RestApiServer servingOrg(String orgId, OrgMetadata metadata, StoredEvents stored) {
    this.metadata = new OrgQueries(orgId, metadata, stored);
    return this;
  }

  /**
   * Fault injection: every query of {@code object} is answered with {@code status} and {@code
   * errorCode} (a permission the user lacks, an object the org does not have).
   */
  public RestApiServer refuse(String object, int status, String errorCode) {
    refusedObjects.put(object, new Failure(status, errorCode));
    return this;
  }

  /**
   * The running user's two permissions that let it read every user's LoginHistory (by default it
   * has "Manage Users"). Without either, a query of LoginHistory still answers, HTTP 200, with only
   * the running user's own logins, as the Object Reference's access rule says. A null {@code
   * monitorLoginHistory} is an API version that does not know that permission: selecting it from
   * UserPermissionAccess is INVALID_FIELD.
   */
  public RestApiServer loginHistoryAccess(boolean manageUsers, Boolean monitorLoginHistory) {
    this.manageUsers = manageUsers;
    this.monitorLoginHistory = monitorLoginHistory;
    return this;
  }

  /** The user the bearer tokens run as: its own logins are all it sees without the permission. */
  public RestApiServer runningUser(String userId) {
    this.runningUser = userId;
    return this;
  }

  /**
   * The most rows one page of a query holds (Salesforce: 2,000, or less when the client asks for a
   * smaller batchSize); smaller here lets tests page through few rows.
   */
  public RestApiServer pageSize(int rows) {
    this.pageSize = rows;
    return this;
  }

  /** A live session for {@code userId}; returns its AuthSession id. */
  public String addSession(String userId) {
    String id = ids.next("0Ak");
    sessions.put(id, new Session(id, userId));
    return id;
  }

  /** A connected app's OAuth grant to {@code userId}; returns its OauthToken id. */
  public String addOauthToken(String userId, String appName) {
    String id = ids.next("0CQ");
    byte[] secret = new byte[24];
    random.nextBytes(secret);
    oauthTokens.put(
        id,
        new Token(
            id, userId, appName, Base64.getUrlEncoder().withoutPadding().encodeToString(secret)));
    return id;
  }

  public boolean isFrozen(String userId) {
    Login login = logins.get(userId);
    return login != null && login.frozen();
  }

  public long liveSessions(String userId) {
    return sessions.values().stream().filter(s -> s.userId().equals(userId)).count();
  }

  public long liveTokens(String userId) {
    return oauthTokens.values().stream().filter(t -> t.userId().equals(userId)).count();
  }

  /** Every call so far, as "METHOD path" (queries as "GET query <object>"); never a token. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /**
   * Fault injection: the next {@code count} requests are answered with {@code status} and {@code
   * errorCode}.
   */
  public void failNext(int count, int status, String errorCode) {
    failAfter(0, count, status, errorCode);
  }

  /**
   * Fault injection: the next {@code passes} requests are answered as usual, the {@code count}
   * after them with {@code status} and {@code errorCode} (a request limit used up mid-way).
   */
  public void failAfter(int passes, int count, int status, String errorCode) {
    failure = new Failure(status, errorCode);
    passesLeft.set(passes);
    failuresLeft.set(count);
  }

  private void handle(HttpServerRequest request, Buffer body) {
    String path = request.path();
    Matcher data = DATA.matcher(path);
    boolean revoke = path.equals("/services/oauth2/revoke");
    calls.add(
        request.method().name()
            + " "
            + (data.matches() && data.group(2).equals("/query")
                ? "query " + queriedObject(request)
                : data.matches() && data.group(2).equals("/tooling/query")
                    ? "tooling query " + queriedObject(request)
                    : path));
    if (passesLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0
        && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      Failure f = failure;
      errors(request, f.status(), f.errorCode(), "injected failure");
      return;
    }
    if (revoke && request.method().name().equals("POST")) {
      revoke(request, body);
      return;
    }
    if (!data.matches()) {
      errors(request, 404, "NOT_FOUND", "The requested resource does not exist");
      return;
    }
    String auth = request.getHeader("Authorization");
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
    if (!tokens.test(token)) {
      errors(request, 401, "INVALID_SESSION_ID", "Session expired or invalid");
      return;
    }
    String version = data.group(1);
    String rest = data.group(2);
    String method = request.method().name();
    boolean tooling = rest.startsWith("/tooling/");
    if (tooling) {
      rest = rest.substring("/tooling".length());
    }
    if ((rest.equals("/query") || rest.startsWith("/query/")) && method.equals("GET")) {
      Failure refused = refusedObjects.get(queriedObject(request));
      if (refused != null && rest.equals("/query")) {
        errors(request, refused.status(), refused.errorCode(), "refused");
        return;
      }
    }
    if (rest.equals("/query")
        && method.equals("GET")
        && metadata != null
        && metadata.answers(String.valueOf(request.getParam("q")), tooling)) {
      OrgQueries.Answer answer = metadata.answer(request.getParam("q"), tooling);
      if (answer.errorCode() != null) {
        errors(request, 400, answer.errorCode(), answer.message());
        return;
      }
      String locator = "01g" + String.format("%012d", cursorIds.incrementAndGet()) + "AAA";
      cursors.put(locator, answer.rows());
      setupCursors.add(locator);
      page(request, (tooling ? "/tooling" : ""), version, locator, 0, batchSize(request));
    } else if (tooling) {
      if (rest.startsWith("/query/") && method.equals("GET")) {
        nextPage(request, version, rest, "/tooling");
      } else {
        errors(request, 404, "NOT_FOUND", "The requested resource does not exist");
      }
    } else if (rest.equals("/query")
        && method.equals("GET")
        && LOGIN_HISTORY_QUERY.matcher(String.valueOf(request.getParam("q"))).matches()) {
      queryLoginHistory(request, version);
    } else if (rest.equals("/query")
        && method.equals("GET")
        && USER_PERMISSION_ACCESS.matcher(String.valueOf(request.getParam("q"))).matches()) {
      userPermissionAccess(request, version);
    } else if (rest.startsWith("/query/") && method.equals("GET")) {
      nextPage(request, version, rest, "");
    } else if (rest.equals("/query") && method.equals("GET")) {
      query(request, version);
    } else if (rest.startsWith("/sobjects/UserLogin/") && method.equals("PATCH")) {
      freeze(request, rest.substring("/sobjects/UserLogin/".length()), body);
    } else if (rest.startsWith("/sobjects/AuthSession/") && method.equals("DELETE")) {
      Session removed = sessions.remove(rest.substring("/sobjects/AuthSession/".length()));
      if (removed == null) {
        errors(request, 404, "NOT_FOUND", "The requested resource does not exist");
      } else {
        request.response().setStatusCode(204).end();
      }
    } else {
      errors(request, 404, "NOT_FOUND", "The requested resource does not exist");
    }
  }

  private static String queriedObject(HttpServerRequest request) {
    Matcher m =
        Pattern.compile("\\bFROM\\s+(\\w+)", Pattern.CASE_INSENSITIVE)
            .matcher(String.valueOf(request.getParam("q")));
    return m.find() ? m.group(1) : "?";
  }

  /**
   * {@code SELECT … FROM LoginHistory WHERE LoginTime >= <dateTime> ORDER BY LoginTime, Id}: the
   * first page, and a query locator for the rest ({@code nextRecordsUrl}), as Salesforce pages.
   */
  private void queryLoginHistory(HttpServerRequest request, String version) {
    Matcher m = LOGIN_HISTORY_QUERY.matcher(request.getParam("q"));
    m.matches();
    long from;
    try {
      from = java.time.OffsetDateTime.parse(m.group(2)).toInstant().toEpochMilli();
    } catch (RuntimeException e) {
      errors(request, 400, "MALFORMED_QUERY", "LoginTime must be compared with a dateTime literal");
      return;
    }
    List<String> fields = List.of(m.group(1).replace(" ", "").split(","));
    for (String field : fields) {
      if (!LOGIN_HISTORY_FIELDS.contains(field)) {
        errors(
            request,
            400,
            "INVALID_FIELD",
            "No such column '" + field + "' on entity 'LoginHistory'");
        return;
      }
    }
    boolean seesAll = manageUsers || Boolean.TRUE.equals(monitorLoginHistory);
    List<ObjectNode> rows = loginHistory.since(from, fields, seesAll ? null : runningUser);
    String locator = "01g" + String.format("%012d", cursorIds.incrementAndGet()) + "AAA";
    cursors.put(locator, List.copyOf(rows));
    page(request, "", version, locator, 0, batchSize(request));
  }

  /**
   * {@code SELECT PermissionsManageUsers, PermissionsMonitorLoginHistory FROM
   * UserPermissionAccess}: one row, the running user's own permissions (only these two are
   * simulated).
   */
  private void userPermissionAccess(HttpServerRequest request, String version) {
    Matcher m = USER_PERMISSION_ACCESS.matcher(request.getParam("q"));
    m.matches();
    ObjectNode row = record(version, "UserPermissionAccess", "0up000000000001AAA");
    for (String field : m.group(1).replace(" ", "").split(",")) {
      if (field.equals(LoginHistoryFields.MANAGE_USERS)) {
        row.put(field, manageUsers);
      } else if (field.equals(LoginHistoryFields.MONITOR_LOGIN_HISTORY)
          && monitorLoginHistory != null) {
        row.put(field, monitorLoginHistory.booleanValue());
      } else if (!field.equals("Id")) {
        errors(
            request,
            400,
            "INVALID_FIELD",
            "No such column '" + field + "' on entity 'UserPermissionAccess'");
        return;
      }
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("totalSize", 1);
    answer.put("done", true);
    answer.putArray("records").add(row);
    request
        .response()
        .setStatusCode(200)
        .putHeader("Content-Type", "application/json")
        .end(answer.toString());
  }

  /** Rows per page: the client's batchSize (200 to 2,000), never more than {@link #pageSize}. */
  private int batchSize(HttpServerRequest request) {
    int batch = pageSize;
    String options = request.getHeader("Sforce-Query-Options");
    if (options != null) {
      Matcher size = BATCH_SIZE.matcher(options);
      if (size.find()) {
        batch = Math.min(batch, Math.max(200, Integer.parseInt(size.group(1))));
      }
    }
    return Math.max(1, batch);
  }

  private void nextPage(HttpServerRequest request, String version, String rest, String api) {
    Matcher m = NEXT_PAGE.matcher(rest);
    if (!m.matches() || !cursors.containsKey(m.group(1))) {
      errors(request, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
      return;
    }
    int offset = Integer.parseInt(m.group(2));
    page(request, api, version, m.group(1), offset, batchSize(request));
  }

  private void page(
      HttpServerRequest request,
      String api,
      String version,
      String locator,
      int offset,
      int batch) {
    List<ObjectNode> rows = cursors.get(locator);
    int end = Math.min(rows.size(), offset + batch);
    boolean done = end >= rows.size();
    ObjectNode answer = JSON.createObjectNode();
    answer.put("totalSize", rows.size());
    answer.put("done", done);
    if (done) {
      cursors.remove(locator);
    } else {
      answer.put(
          "nextRecordsUrl", "/services/data/v" + version + api + "/query/" + locator + "-" + end);
    }
    ArrayNode array = answer.putArray("records");
    for (ObjectNode row : rows.subList(Math.min(offset, rows.size()), end)) {
      ObjectNode r = row.deepCopy();
      String id = r.path("Id").asText("");
      if (r.get("attributes") instanceof ObjectNode attributes && !id.isEmpty()) {
        attributes.put(
            "url",
            "/services/data/v"
                + version
                + api
                + "/sobjects/"
                + attributes.path("type").asText("LoginHistory")
                + "/"
                + id);
      }
      array.add(r);
    }
    var response =
        request.response().setStatusCode(200).putHeader("Content-Type", "application/json");
    long now = loginHistory.now();
    if (setupCursors.contains(locator)) {
      // Discovery's clock is never before the end of the stored history, even while the day's
      // scenarios replay their earlier working days.
      now = Math.max(now, metadata.stored().end());
      if (done) {
        setupCursors.remove(locator);
      }
    }
    if (now > 0) {
      // The org's clock, as a server's Date header gives it: the simulated day's, once it plays;
      // before, the start of that day, where the stored history ends.
      response.putHeader(
          "Date",
          java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
              java.time.Instant.ofEpochMilli(now).atZone(java.time.ZoneOffset.UTC)));
    }
    response.end(answer.toString());
  }

  /** The fields LoginHistory documents (Object Reference), the ones a query may select. */
  private static final java.util.Set<String> LOGIN_HISTORY_FIELDS = LoginHistoryFields.DOCUMENTED;

  private void query(HttpServerRequest request, String version) {
    String soql = request.getParam("q");
    Matcher m = QUERY.matcher(soql == null ? "" : soql);
    if (!m.matches()) {
      errors(request, 400, "MALFORMED_QUERY", "unsupported query");
      return;
    }
    String object = m.group(2);
    String userId = m.group(4);
    List<String> fields = List.of(m.group(1).replace(" ", "").split(","));
    List<ObjectNode> records = new ArrayList<>();
    switch (object) {
      case "UserLogin" -> {
        Login login =
            logins.computeIfAbsent(
                userId,
                u -> userId.startsWith("005") ? new Login(ids.next("0Yw"), u, false) : null);
        if (login != null) {
          records.add(record(version, object, login.id()));
        }
      }
      case "OauthToken" ->
          oauthTokens.values().stream()
              .filter(t -> t.userId().equals(userId))
              .forEach(
                  t -> {
                    ObjectNode r = record(version, object, t.id());
                    if (fields.contains("DeleteToken")) {
                      r.put("DeleteToken", t.deleteToken());
                    }
                    if (fields.contains("AppName")) {
                      r.put("AppName", t.appName());
                    }
                    records.add(r);
                  });
      default ->
          sessions.values().stream()
              .filter(s -> s.userId().equals(userId))
              .forEach(s -> records.add(record(version, object, s.id())));
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("totalSize", records.size());
    answer.put("done", true);
    ArrayNode array = answer.putArray("records");
    records.forEach(array::add);
    request
        .response()
        .setStatusCode(200)
        .putHeader("Content-Type", "application/json")
        .end(answer.toString());
  }

  private static ObjectNode record(String version, String object, String id) {
    ObjectNode r = JSON.createObjectNode();
    ObjectNode attributes = r.putObject("attributes");
    attributes.put("type", object);
    attributes.put("url", "/services/data/v" + version + "/sobjects/" + object + "/" + id);
    r.put("Id", id);
    return r;
  }

  private void freeze(HttpServerRequest request, String loginId, Buffer body) {
    Login login =
        logins.values().stream().filter(l -> l.id().equals(loginId)).findFirst().orElse(null);
    if (login == null) {
      errors(request, 404, "NOT_FOUND", "The requested resource does not exist");
      return;
    }
    JsonNode fields;
    try {
      fields = JSON.readTree(body.toString(StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      errors(request, 400, "JSON_PARSER_ERROR", "the body is not JSON");
      return;
    }
    if (!fields.isObject() || !fields.path("IsFrozen").isBoolean() || fields.size() != 1) {
      errors(request, 400, "INVALID_FIELD", "only IsFrozen may be updated here");
      return;
    }
    logins.put(
        login.userId(), new Login(login.id(), login.userId(), fields.get("IsFrozen").asBoolean()));
    request.response().setStatusCode(204).end();
  }

  private void revoke(HttpServerRequest request, Buffer body) {
    String token = null;
    for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals("token")) {
        token = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    String presented = token;
    Token match =
        presented == null
            ? null
            : oauthTokens.values().stream()
                .filter(t -> t.deleteToken().equals(presented))
                .findFirst()
                .orElse(null);
    if (match == null) {
      request
          .response()
          .setStatusCode(400)
          .putHeader("Content-Type", "application/json")
          .end(
              "{\"error\":\"unsupported_token_type\",\"error_description\":\"this token type is not supported\"}");
      return;
    }
    oauthTokens.remove(match.id());
    request.response().setStatusCode(200).end();
  }

  private static void errors(
      HttpServerRequest request, int status, String errorCode, String message) {
    ArrayNode array = JSON.createArrayNode();
    array.addObject().put("message", message).put("errorCode", errorCode);
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(array.toString());
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
