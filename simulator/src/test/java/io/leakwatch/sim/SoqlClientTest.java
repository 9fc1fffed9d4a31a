package io.leakwatch.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.SoqlClient;
import io.leakwatch.sim.org.LoginHistory;
import io.leakwatch.sim.org.SimulatedOrg;
import io.leakwatch.sim.server.RestApiServer;
import io.leakwatch.sim.server.SelfSignedCertificate;
import io.leakwatch.sim.traffic.EventFactory;
import io.leakwatch.sim.traffic.TrafficGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SOQL client over real HTTPS against the simulated org's REST API. */
class SoqlClientTest {
  private static final String TOKEN = "00D-soql-client-token";
  private static final String SOQL =
      "SELECT Id, UserId, LoginTime FROM LoginHistory WHERE LoginTime >= 2026-03-10T00:00:00Z"
          + " ORDER BY LoginTime, Id";

  @TempDir Path dir;
  private RestApiServer rest;
  private SelfSignedCertificate tls;

  @BeforeEach
  void start() throws Exception {
    SimulatedOrg org = SimulatedOrg.generate(3, 20);
    LoginHistory history = LoginHistory.of(org);
    EventFactory make = new EventFactory(new Random(1), null);
    var etl = org.integration("nightly-etl");
    for (int i = 0; i < 450; i++) {
      history.record(
          make.login(
              TrafficGenerator.millis(LocalDate.of(2026, 3, 10), LocalTime.of(1, 0)) + i * 1_000L,
              etl.user(),
              etl.egressIp(),
              "s",
              "Remote Access 2.0",
              "ETL",
              "Standard",
              "Success"));
    }
    tls = SelfSignedCertificate.generate(dir);
    rest = RestApiServer.start(tls, TOKEN::equals).serving(history);
  }

  @AfterEach
  void stop() throws Exception {
    rest.close();
  }

  private SoqlClient client(TokenSource tokens, int batchSize) {
    return new SoqlClient(
        tokens,
        TrustedCertificates.httpClient(tls.certificate()),
        "62.0",
        Duration.ofSeconds(10),
        batchSize);
  }

  private TokenSource fixed(String token) {
    return TokenSource.fixed(new AccessGrant(token, rest.url(), "00D000000000001AAA"));
  }

  @Test
  void followsNextRecordsUrlToTheLastPage() throws Exception {
    SoqlClient client = client(fixed(TOKEN), 200);
    List<JsonNode> rows = client.queryAll(SOQL);
    assertEquals(450, rows.size());
    assertEquals(3, client.calls(), "pages of 200, 200 and 50");
    assertEquals(450, rows.stream().map(r -> r.path("Id").asText()).distinct().count());
    for (int i = 1; i < rows.size(); i++) {
      assertTrue(
          rows.get(i - 1)
                  .path("LoginTime")
                  .asText()
                  .compareTo(rows.get(i).path("LoginTime").asText())
              <= 0,
          "in LoginTime order");
    }
  }

  @Test
  void aServerErrorNamesStatusAndCodeButNeverTheToken() {
    rest.failNext(1, 503, "SERVER_UNAVAILABLE");
    QueryException e =
        assertThrows(QueryException.class, () -> client(fixed(TOKEN), 2_000).query(SOQL));
    assertEquals(503, e.status());
    assertEquals("SERVER_UNAVAILABLE", e.errorCode());
    assertTrue(e.retryable());
    assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
  }

  @Test
  void aTokenThatCannotBeRefreshedFailsClearly() {
    QueryException e =
        assertThrows(QueryException.class, () -> client(fixed("stale"), 2_000).query(SOQL));
    assertEquals(401, e.status());
    assertEquals("TOKEN_REFRESH_FAILED", e.errorCode());
    assertFalse(e.retryable());
  }

  @Test
  void aFieldLoginHistoryDoesNotHaveIsRefusedAsTheServerSaysAndNotRetried() {
    QueryException e =
        assertThrows(
            QueryException.class,
            () -> client(fixed(TOKEN), 2_000).query(SOQL.replace("UserId,", "UserId, Username,")));
    assertEquals(400, e.status());
    assertEquals("INVALID_FIELD", e.errorCode());
    assertFalse(e.retryable());
  }
}
