package io.leakwatch.cli;

import io.leakwatch.api.ApiConfig;
import io.leakwatch.auth.TrustedCertificates;
import io.leakwatch.config.EngineConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * {@code leakwatch health --config FILE}: asks the running process's API for {@code /health} with
 * the configured token; exit 0 when it answers 200, else 1. The container's HEALTHCHECK, since the
 * JRE image may have neither curl nor wget.
 */
final class HealthCommand {
  static final Set<String> OPTIONS = Set.of("config", "url");

  private HealthCommand() {}

  static int run(Args args, PrintStream out) throws Exception {
    String file = args.text("config", null);
    if (file == null) {
      throw new Args.UsageException("health needs --config FILE");
    }
    // Before any HTTP client exists (loading an OAuth org builds one), or the JDK never reads it:
    // the
    // API's own certificate is the only one trusted, so the name in it need not match this address.
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    ApiConfig api = EngineConfig.load(Path.of(file), System.getenv()).api();
    if (api == null) {
      throw new Args.UsageException(
          "health: " + file + " has no api: section, so there is nothing to ask");
    }
    String host =
        api.host().equals("0.0.0.0") || api.host().equals("::") ? "127.0.0.1" : api.host();
    String url =
        args.text(
            "url", (api.tls() ? "https://" : "http://") + host + ":" + api.port() + "/health");
    HttpClient client =
        api.tls() ? TrustedCertificates.httpClient(api.tlsCert()) : HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + api.tokens().get(0))
            .GET()
            .build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      out.println(url + ": " + response.statusCode());
      return response.statusCode() == 200 ? 0 : 1;
    } catch (java.io.IOException e) {
      out.println(url + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
      return 1;
    }
  }
}
