package io.leakwatch.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.decision.ResponseAction;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Response actions through the Salesforce REST API, with the org's own OAuth grant:
 *
 * <ul>
 *   <li>freeze: find the user's {@code UserLogin} by SOQL, then PATCH {@code IsFrozen = true};
 *   <li>revoke tokens: find the user's {@code OauthToken} rows, then POST each {@code DeleteToken}
 *       to {@code /services/oauth2/revoke};
 *   <li>end sessions: find the user's {@code AuthSession} rows, then DELETE each.
 * </ul>
 *
 * Each call has a timeout; a 5xx answer or an I/O failure is retried with doubling backoff, a 401
 * refreshes the grant once. Tokens (ours and the revoked ones) never reach a log, an outcome or an
 * exception message.
 */
public final class SalesforceActions implements ActionExecutor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern USER_ID = Pattern.compile("005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?");

  private final TokenSource tokens;
  private final HttpClient http;
  private final String apiVersion;
  private final Duration timeout;
  private final int attempts;
  private final Duration backoff;

  public SalesforceActions(TokenSource tokens, HttpClient http, ResponseSettings settings) {
    this.tokens = tokens;
    this.http = http;
    this.apiVersion = settings.apiVersion();
    this.timeout = settings.timeout();
    this.attempts = settings.attempts();
    this.backoff = settings.backoff();
  }

  @Override
  public String describe(ResponseAction action) {
    String data = "/services/data/v" + apiVersion;
    return switch (action) {
      case FREEZE_USER ->
          "GET "
              + data
              + "/query (UserLogin by UserId), then PATCH "
              + data
              + "/sobjects/UserLogin/{Id} IsFrozen=true";
      case REVOKE_TOKENS ->
          "GET "
              + data
              + "/query (OauthToken by UserId), then POST /services/oauth2/revoke with each DeleteToken";
      case END_SESSION ->
          "GET "
              + data
              + "/query (AuthSession by UsersId), then DELETE "
              + data
              + "/sobjects/AuthSession/{Id} for each";
    };
  }

  @Override
  public ActionOutcome execute(ResponseAction action, String userId) {
    if (userId == null || !USER_ID.matcher(userId).matches()) {
      return ActionOutcome.failed(0, "INVALID_USER_ID", 0, 0);
    }
    Calls calls = new Calls();
    try {
      return switch (action) {
        case FREEZE_USER -> freeze(calls, userId);
        case REVOKE_TOKENS -> revoke(calls, userId);
        case END_SESSION -> endSessions(calls, userId);
      };
    } catch (CallFailed e) {
      return ActionOutcome.failed(e.status, e.errorCode, calls.made, calls.affected);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ActionOutcome.failed(0, "INTERRUPTED", calls.made, calls.affected);
    }
  }

  private ActionOutcome freeze(Calls calls, String userId) throws CallFailed, InterruptedException {
    List<JsonNode> logins =
        query(calls, "SELECT Id FROM UserLogin WHERE UserId = '" + userId + "'");
    if (logins.isEmpty()) {
      return ActionOutcome.failed(calls.lastStatus, "USER_LOGIN_NOT_FOUND", calls.made, 0);
    }
    for (JsonNode login : logins) {
      String id = recordId(login);
      calls.send(
          grant ->
              json(grant, "/sobjects/UserLogin/" + id)
                  .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"IsFrozen\":true}"))
                  .build());
      calls.affected++;
    }
    return ActionOutcome.done(calls.lastStatus, calls.made, calls.affected);
  }

  private ActionOutcome revoke(Calls calls, String userId) throws CallFailed, InterruptedException {
    List<JsonNode> grants =
        query(calls, "SELECT Id, DeleteToken FROM OauthToken WHERE UserId = '" + userId + "'");
    for (JsonNode grant : grants) {
      String deleteToken = grant.path("DeleteToken").asText("");
      if (deleteToken.isEmpty()) {
        throw new CallFailed(calls.lastStatus, "NO_DELETE_TOKEN");
      }
      String form = "token=" + URLEncoder.encode(deleteToken, StandardCharsets.UTF_8);
      calls.send(
          current ->
              HttpRequest.newBuilder(URI.create(current.instanceUrl() + "/services/oauth2/revoke"))
                  .timeout(timeout)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(form))
                  .build());
      calls.affected++;
    }
    return ActionOutcome.done(calls.lastStatus, calls.made, calls.affected);
  }

  private ActionOutcome endSessions(Calls calls, String userId)
      throws CallFailed, InterruptedException {
    List<JsonNode> sessions =
        query(calls, "SELECT Id FROM AuthSession WHERE UsersId = '" + userId + "'");
    for (JsonNode session : sessions) {
      String id = recordId(session);
      calls.send(grant -> json(grant, "/sobjects/AuthSession/" + id).DELETE().build());
      calls.affected++;
    }
    return ActionOutcome.done(calls.lastStatus, calls.made, calls.affected);
  }

  private List<JsonNode> query(Calls calls, String soql) throws CallFailed, InterruptedException {
    String path = "/query?q=" + URLEncoder.encode(soql, StandardCharsets.UTF_8);
    HttpResponse<String> response = calls.send(grant -> json(grant, path).GET().build());
    List<JsonNode> records = new ArrayList<>();
    try {
      JSON.readTree(response.body()).path("records").forEach(records::add);
    } catch (IOException e) {
      throw new CallFailed(response.statusCode(), "UNREADABLE_QUERY_RESULT");
    }
    return records;
  }

  private static String recordId(JsonNode record) throws CallFailed {
    String id = record.path("Id").asText("");
    if (!id.matches("[A-Za-z0-9]{15,18}")) {
      throw new CallFailed(0, "UNEXPECTED_RECORD_ID");
    }
    return id;
  }

  private HttpRequest.Builder json(AccessGrant grant, String path) {
    return HttpRequest.newBuilder(
            URI.create(grant.instanceUrl() + "/services/data/v" + apiVersion + path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + grant.accessToken())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json");
  }

  /** The calls of one action: counts them and retries each. */
  private final class Calls {
    int made;
    int affected;
    int lastStatus;

    HttpResponse<String> send(Function<AccessGrant, HttpRequest> request)
        throws CallFailed, InterruptedException {
      AccessGrant grant = tokens.current();
      boolean refreshed = false;
      long delay = backoff.toMillis();
      for (int attempt = 1; ; attempt++) {
        made++;
        HttpResponse<String> response;
        try {
          response = http.send(request.apply(grant), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
          lastStatus = 0;
          if (attempt >= attempts) {
            throw new CallFailed(
                0, e instanceof java.net.http.HttpTimeoutException ? "TIMEOUT" : "IO_ERROR");
          }
          Thread.sleep(delay);
          delay *= 2;
          continue;
        }
        lastStatus = response.statusCode();
        if (response.statusCode() == 401 && !refreshed) {
          refreshed = true;
          try {
            grant = tokens.refresh();
          } catch (RuntimeException e) {
            throw new CallFailed(401, "TOKEN_REFRESH_FAILED");
          }
          attempt--; // a refreshed token is a new start, not a retry
          continue;
        }
        if (response.statusCode() >= 500 && attempt < attempts) {
          Thread.sleep(delay);
          delay *= 2;
          continue;
        }
        if (response.statusCode() >= 300) {
          throw new CallFailed(response.statusCode(), errorCode(response.body()));
        }
        return response;
      }
    }
  }

  /**
   * Salesforce's error code: REST answers {@code [{"errorCode": …}]}, OAuth answers {@code
   * {"error": …}}.
   */
  private static String errorCode(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      JsonNode first = node.isArray() && !node.isEmpty() ? node.get(0) : node;
      String code = first.path("errorCode").asText(first.path("error").asText(""));
      return code.matches("[A-Za-z0-9_.-]{1,80}") ? code : "HTTP_ERROR";
    } catch (IOException | RuntimeException e) {
      return "HTTP_ERROR";
    }
  }

  private static final class CallFailed extends Exception {
    final int status;
    final String errorCode;

    CallFailed(int status, String errorCode) {
      super(errorCode + " (HTTP " + status + ")", null, false, false);
      this.status = status;
      this.errorCode = errorCode;
    }
  }
}
