package io.leakwatch.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A token-endpoint flow (JWT bearer or client credentials): POST to {@code /services/oauth2/token},
 * then the org id from {@code /services/oauth2/userinfo}. Caches the grant until it is refreshed.
 */
public final class OAuthFlow implements TokenSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String loginUrl;
  private final HttpClient http;
  private final FormSupplier form;
  private final String describe;
  private volatile AccessGrant grant;

  /** Builds the token request's form fields afresh each time (a JWT assertion expires). */
  @FunctionalInterface
  public interface FormSupplier {
    Map<String, String> form();
  }

  private OAuthFlow(String loginUrl, HttpClient http, FormSupplier form, String describe) {
    this.loginUrl = loginUrl.replaceAll("/+$", "");
    this.http = http;
    this.form = form;
    this.describe = describe;
  }

  /** OAuth 2.0 JWT bearer: an RS256 assertion signed with the connected app's private key. */
  public static OAuthFlow jwtBearer(
      String loginUrl, String clientId, String username, JwtAssertion assertion, HttpClient http) {
    return new OAuthFlow(
        loginUrl,
        http,
        () ->
            Map.of(
                "grant_type",
                "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion",
                assertion.sign(clientId, username, loginUrl.replaceAll("/+$", ""))),
        "JWT bearer for " + username);
  }

  /**
   * OAuth 2.0 client credentials: the connected app's id and secret, run as its configured user.
   */
  public static OAuthFlow clientCredentials(
      String loginUrl, String clientId, String clientSecret, HttpClient http) {
    return new OAuthFlow(
        loginUrl,
        http,
        () ->
            Map.of(
                "grant_type",
                "client_credentials",
                "client_id",
                clientId,
                "client_secret",
                clientSecret),
        "client credentials of " + clientId);
  }

  @Override
  public AccessGrant current() {
    AccessGrant current = grant;
    return current != null ? current : refresh();
  }

  @Override
  public synchronized AccessGrant refresh() {
    JsonNode token = post(loginUrl + "/services/oauth2/token", form.form());
    String accessToken = token.path("access_token").asText("");
    String instanceUrl = token.path("instance_url").asText("");
    if (accessToken.isEmpty() || instanceUrl.isEmpty()) {
      throw new AuthException(describe + ": token response lacks access_token or instance_url");
    }
    JsonNode userinfo =
        get(instanceUrl.replaceAll("/+$", "") + "/services/oauth2/userinfo", accessToken);
    String orgId = userinfo.path("organization_id").asText("");
    if (orgId.isEmpty()) {
      throw new AuthException(describe + ": userinfo did not return organization_id");
    }
    grant = new AccessGrant(accessToken, instanceUrl, orgId);
    return grant;
  }

  private JsonNode post(String url, Map<String, String> fields) {
    String body =
        fields.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        url);
  }

  private JsonNode get(String url, String accessToken) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + accessToken)
            .header("Accept", "application/json")
            .GET()
            .build(),
        url);
  }

  private JsonNode send(HttpRequest request, String url) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AuthException(describe + ": " + url + " unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthException(describe + ": interrupted");
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AuthException(
          describe
              + ": "
              + url
              + " answered HTTP "
              + response.statusCode()
              + " with a body that is not JSON");
    }
    if (response.statusCode() / 100 != 2) {
      // Salesforce's OAuth errors: {"error": "invalid_grant", "error_description": "..."}; never
      // echo the request.
      throw new AuthException(
          describe
              + ": "
              + url
              + " refused (HTTP "
              + response.statusCode()
              + "): "
              + body.path("error").asText("?")
              + " "
              + body.path("error_description").asText(""));
    }
    return body;
  }

  @Override
  public String toString() {
    return "OAuthFlow[" + describe + " at " + loginUrl + "]";
  }
}
