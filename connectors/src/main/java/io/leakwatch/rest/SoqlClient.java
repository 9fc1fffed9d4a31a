package io.leakwatch.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * SOQL over the Salesforce REST API: {@code GET /services/data/vXX.X/query?q=…}, then each {@code
 * nextRecordsUrl} until {@code done}, with the org's own OAuth grant (instance URL and token). A
 * 401 gets a fresh token once per call. Blocking: call it off the event loop. Failures are {@link
 * QueryException}s with the HTTP status and Salesforce's error code; the token never reaches a
 * message.
 */
public final class SoqlClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern API_VERSION = Pattern.compile("\\d{2,3}\\.0");
  private static final Pattern NEXT_PAGE =
      Pattern.compile("/services/data/v\\d{2,3}\\.0(/tooling)?/query/[A-Za-z0-9-]+");

  private final TokenSource tokens;
  private final HttpClient http;
  private final String apiVersion;
  private final Duration timeout;
  private final int batchSize;
  private final AtomicLong calls = new AtomicLong();

  /**
   * @param http trusts what the org's instance presents ({@code TrustedCertificates.httpClient})
   * @param apiVersion e.g. {@code 62.0}
   * @param batchSize rows per page asked of the server (200 to 2,000; it may send fewer)
   */
  public SoqlClient(
      TokenSource tokens, HttpClient http, String apiVersion, Duration timeout, int batchSize) {
    if (!API_VERSION.matcher(apiVersion).matches()) {
      throw new IllegalArgumentException("API version must look like 62.0, was " + apiVersion);
    }
    if (batchSize < 200 || batchSize > 2_000) {
      throw new IllegalArgumentException("batch size must be 200 to 2000, was " + batchSize);
    }
    this.tokens = tokens;
    this.http = http;
    this.apiVersion = apiVersion;
    this.timeout = timeout;
    this.batchSize = batchSize;
  }

  /** The first page of {@code soql}'s result. */
  public QueryPage query(String soql) throws QueryException, InterruptedException {
    return page(
        "/services/data/v"
            + apiVersion
            + "/query?q="
            + URLEncoder.encode(soql, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /**
   * The first page of {@code soql} through the Tooling API ({@code /tooling/query}): metadata such
   * as EntityDefinition and FieldDefinition. Its further pages come from {@link #next} as usual.
   */
  public QueryPage toolingQuery(String soql) throws QueryException, InterruptedException {
    return page(
        "/services/data/v"
            + apiVersion
            + "/tooling/query?q="
            + URLEncoder.encode(soql, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /** Every row of a Tooling API query, following {@code nextRecordsUrl} to the last page. */
  public List<JsonNode> toolingQueryAll(String soql) throws QueryException, InterruptedException {
    List<JsonNode> rows = new ArrayList<>();
    QueryPage page = toolingQuery(soql);
    rows.addAll(page.records());
    while (!page.done()) {
      page = next(page);
      rows.addAll(page.records());
    }
    return rows;
  }

  /** The page after {@code page}; only for a page that is not {@code done}. */
  public QueryPage next(QueryPage page) throws QueryException, InterruptedException {
    if (page.done() || page.nextRecordsUrl() == null) {
      throw new IllegalStateException("the query has no further page");
    }
    // Only a path on the org's own instance: the token goes nowhere else.
    if (!NEXT_PAGE.matcher(page.nextRecordsUrl()).matches()) {
      throw new QueryException(0, "UNEXPECTED_NEXT_RECORDS_URL");
    }
    return page(page.nextRecordsUrl());
  }

  /** Every row of {@code soql}, following {@code nextRecordsUrl} to the last page. */
  public List<JsonNode> queryAll(String soql) throws QueryException, InterruptedException {
    List<JsonNode> rows = new ArrayList<>();
    QueryPage page = query(soql);
    rows.addAll(page.records());
    while (!page.done()) {
      page = next(page);
      rows.addAll(page.records());
    }
    return rows;
  }

  /** HTTP calls made so far (each page, each retry after a refreshed token). */
  public long calls() {
    return calls.get();
  }

  private QueryPage page(String pathAndQuery) throws QueryException, InterruptedException {
    AccessGrant grant = tokens.current();
    HttpResponse<String> response = send(grant, pathAndQuery);
    if (response.statusCode() == 401) {
      try {
        grant = tokens.refresh();
      } catch (RuntimeException e) {
        throw new QueryException(401, "TOKEN_REFRESH_FAILED");
      }
      response = send(grant, pathAndQuery);
    }
    if (response.statusCode() != 200) {
      throw new QueryException(response.statusCode(), errorCode(response.body()));
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new QueryException(200, "UNREADABLE_QUERY_RESULT");
    }
    if (!body.path("records").isArray() || !body.path("done").isBoolean()) {
      throw new QueryException(200, "UNEXPECTED_QUERY_RESULT");
    }
    List<JsonNode> records = new ArrayList<>(body.path("records").size());
    body.path("records").forEach(records::add);
    boolean done = body.path("done").asBoolean();
    String next = done ? null : body.path("nextRecordsUrl").asText(null);
    if (!done && next == null) {
      throw new QueryException(200, "MISSING_NEXT_RECORDS_URL");
    }
    return new QueryPage(
        records, body.path("totalSize").asLong(records.size()), done, next, serverTime(response));
  }

  private HttpResponse<String> send(AccessGrant grant, String pathAndQuery)
      throws QueryException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(grant.instanceUrl() + pathAndQuery))
            .timeout(timeout)
            .header("Authorization", "Bearer " + grant.accessToken())
            .header("Accept", "application/json")
            .header("Sforce-Query-Options", "batchSize=" + batchSize)
            .GET()
            .build();
    calls.incrementAndGet();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new QueryException(0, "TIMEOUT");
    } catch (IOException e) {
      throw new QueryException(0, "IO_ERROR " + e.getClass().getSimpleName());
    }
  }

  private static long serverTime(HttpResponse<String> response) {
    return response
        .headers()
        .firstValue("Date")
        .map(
            date -> {
              try {
                return java.time.ZonedDateTime.parse(
                        date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
              } catch (java.time.format.DateTimeParseException e) {
                return 0L;
              }
            })
        .orElse(0L);
  }

  /** Salesforce's error code from {@code [{"errorCode": …, "message": …}]}, checked for shape. */
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
}
