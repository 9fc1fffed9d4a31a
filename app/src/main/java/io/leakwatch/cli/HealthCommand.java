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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code leakwatch health --config FILE}: asks the running process's API for {@code /health} with
 * the configured token; exit 0 when it answers 200, else 1. The container's HEALTHCHECK, since the
 * JRE image may have neither curl nor wget.
 */
@Command(
    name = "health",
    description =
        "Ask a running process's API for /health (the container's HEALTHCHECK); exit 0 when it"
            + " answers 200, else 1.")
final class HealthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "the configuration file of the running process (its api: section)")
  Path file;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "ask this URL instead (default: from the api: section)")
  String url;

  @Override
  public Integer call() throws Exception {
    PrintStream out = Leakwatch.root(spec).out();
    // Before any HTTP client exists (loading an OAuth org builds one), or the JDK never reads it:
    // the
    // API's own certificate is the only one trusted, so the name in it need not match this address.
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    ApiConfig api = EngineConfig.load(file, System.getenv()).api();
    if (api == null) {
      throw Bounds.usage(
          spec, "health: " + file + " has no api: section, so there is nothing to ask");
    }
    String host =
        api.host().equals("0.0.0.0") || api.host().equals("::") ? "127.0.0.1" : api.host();
    String url =
        this.url != null
            ? this.url
            : (api.tls() ? "https://" : "http://") + host + ":" + api.port() + "/health";
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
