package io.leakwatch.faults;

import io.leakwatch.api.AlertHistory;
import io.leakwatch.api.ApiConfig;
import io.leakwatch.api.ApiServer;
import io.leakwatch.api.EngineOrg;
import io.leakwatch.engine.LeakwatchEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** One engine's HTTP API on a free port, and authorized GETs to it: what an operator polls. */
final class EngineApi implements AutoCloseable {
  private static final String TOKEN = "ready-test-token-0123456789";
  private final ApiServer server;

  private EngineApi(ApiServer server) {
    this.server = server;
  }

  static EngineApi on(LeakwatchEngine engine) throws Exception {
    return new EngineApi(
        ApiServer.start(
            new ApiConfig("127.0.0.1", 0, List.of(TOKEN), null, null),
            List.of(new EngineOrg("default", engine, null)),
            AlertHistory.inMemory(),
            null));
  }

  HttpResponse<String> get(String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
