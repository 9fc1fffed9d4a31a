package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.auth.AccessGrant;
import io.leakwatch.auth.TokenSource;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.rest.SoqlClient;
import io.leakwatch.sim.org.SimulatedOrg;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leakwatch simulate} as an operator runs it, in its own process: the org's REST API serves
 * LoginHistory, where the integration users' logins are (and only there, as in a real org).
 */
class SimulateCommandTest {
  @TempDir Path dir;

  @Test
  void servesTheIntegrationLoginsThroughLoginHistory() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process simulator =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.leakwatch.cli.Leakwatch",
                "simulate",
                "--port",
                "0",
                "--seconds",
                "0",
                "--users",
                "50",
                "--scenarios",
                "etl-password-login",
                "--out",
                dir.resolve("sim").toString())
            .redirectErrorStream(true)
            .start();
    try {
      String instanceUrl = null;
      Path certificate = null;
      StringBuilder printed = new StringBuilder();
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(simulator.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          printed.append(line).append('\n');
          Matcher url = Pattern.compile("^  instance url ([^,]+), ").matcher(line);
          if (url.find()) {
            instanceUrl = url.group(1);
          }
          Matcher cert = Pattern.compile("^  REST API .*certificate (\\S+);").matcher(line);
          if (cert.find()) {
            certificate = Path.of(cert.group(1));
          }
          if (line.startsWith("Played")) {
            break;
          }
        }
      }
      assertNotNull(instanceUrl, printed.toString());
      assertNotNull(certificate, printed.toString());
      assertTrue(instanceUrl.startsWith("https://localhost:"), instanceUrl);

      String etlUser = SimulatedOrg.generate(7, 50).integration("nightly-etl").user().id();
      SoqlClient client =
          new SoqlClient(
              TokenSource.fixed(new AccessGrant("any-token", instanceUrl, "00D")),
              TrustedCertificates.httpClient(certificate),
              "62.0",
              Duration.ofSeconds(20),
              2_000);
      List<JsonNode> logins =
          client.queryAll(
              "SELECT Id, UserId, LoginTime, LoginType FROM LoginHistory"
                  + " WHERE LoginTime >= 2026-03-09T00:00:00Z ORDER BY LoginTime, Id");
      assertFalse(logins.isEmpty(), "the day's logins are in LoginHistory");
      assertTrue(
          logins.stream().anyMatch(row -> etlUser.equals(row.path("UserId").asText())),
          "the ETL's logins are served: " + logins.size() + " rows");
    } finally {
      simulator.destroy();
      simulator.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
