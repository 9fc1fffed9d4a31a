package io.leakwatch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.api.AlertHistory;
import io.leakwatch.api.ApiConfig;
import io.leakwatch.api.ApiServer;
import io.leakwatch.api.MonitoredOrg;
import io.leakwatch.engine.PipelineStats;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A cluster node's {@code /ready} and {@code /metrics}: which orgs it owns, its quorum. */
class ClusterApiTest {
  private static final String TOKEN = "test-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RulePack PACK = RulePackLoader.fromDirectory(Path.of("../rules/pack"));

  private final AtomicReference<List<MonitoredOrg>> running = new AtomicReference<>(List.of());
  private final AtomicReference<ClusterStatus> status = new AtomicReference<>();
  private AlertHistory history;
  private ApiServer server;

  @BeforeEach
  void start() throws Exception {
    history = AlertHistory.inMemory();
    server =
        ApiServer.start(
            new ApiConfig("127.0.0.1", 0, List.of(TOKEN), null, null),
            running::get,
            status::get,
            history,
            null);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    history.close();
  }

  @Test
  void readyAndMetricsFollowTheOrgsTheNodeOwnsAndItsQuorum() throws Exception {
    List<String> configured = List.of("acme", "globex", "initech");
    running.set(List.of(new LiveOrg("acme")));
    status.set(
        new ClusterStatus(
            "lw-1",
            List.of("lw-1", "lw-2", "lw-3"),
            3,
            true,
            configured,
            Set.of("acme"),
            Map.of()));
    HttpResponse<String> ready = get("/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    JsonNode body = JSON.readTree(ready.body());
    assertEquals("lw-1", body.at("/cluster/node").asText());
    assertEquals("[\"acme\"]", body.at("/cluster/owned").toString());
    assertEquals("[\"globex\",\"initech\"]", body.at("/cluster/elsewhere").toString());
    assertEquals(3, body.at("/cluster/members").size());
    assertTrue(body.at("/cluster/quorum").asBoolean());
    assertTrue(body.at("/orgs/acme").isObject());
    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("leakwatch_org_owned{org=\"acme\"} 1.0"), metrics);
    assertTrue(metrics.contains("leakwatch_org_owned{org=\"globex\"} 0.0"), metrics);
    assertTrue(metrics.contains("leakwatch_cluster_members 3.0"), metrics);
    assertTrue(metrics.contains("leakwatch_cluster_quorum 1.0"), metrics);

    // An org another node processes is not "unknown" here.
    HttpResponse<String> reload = post("/rules/globex/reload");
    assertEquals(409, reload.statusCode(), reload.body());
    assertTrue(reload.body().contains("not processed on node lw-1"), reload.body());
    assertEquals(404, post("/rules/nosuch/reload").statusCode());
    assertEquals(409, post("/actions/initech/a-1/approve").statusCode());

    // acme moved away, globex came; then the node lost its quorum and stopped everything.
    running.set(List.of(new LiveOrg("globex")));
    status.set(
        new ClusterStatus(
            "lw-1",
            List.of("lw-1", "lw-2", "lw-3"),
            3,
            true,
            configured,
            Set.of("globex"),
            Map.of()));
    metrics = get("/metrics").body();
    assertTrue(metrics.contains("leakwatch_org_owned{org=\"acme\"} 0.0"), metrics);
    assertTrue(metrics.contains("leakwatch_org_owned{org=\"globex\"} 1.0"), metrics);
    running.set(List.of());
    status.set(
        new ClusterStatus("lw-1", List.of("lw-1"), 3, false, configured, Set.of(), Map.of()));
    ready = get("/ready");
    assertEquals(503, ready.statusCode());
    assertTrue(
        JSON.readTree(ready.body()).path("reason").asText().startsWith("no cluster quorum"),
        ready.body());
    metrics = get("/metrics").body();
    assertTrue(metrics.contains("leakwatch_cluster_quorum 0.0"), metrics);
    assertTrue(metrics.contains("leakwatch_org_owned{org=\"globex\"} 0.0"), metrics);

    // A node with quorum but no org (more nodes than orgs) is ready: it is doing its job.
    status.set(
        new ClusterStatus(
            "lw-1", List.of("lw-1", "lw-2"), 3, true, configured, Set.of(), Map.of()));
    assertEquals(200, get("/ready").statusCode());

    // Unless an org it should run runs nowhere (its lease store away, its start failing): no other
    // node takes it, so this node says so.
    status.set(
        new ClusterStatus(
            "lw-1",
            List.of("lw-1", "lw-2"),
            3,
            true,
            configured,
            Set.of(),
            Map.of("initech", "its engine could not start: boom (not running for 31 s)")));
    ready = get("/ready");
    assertEquals(503, ready.statusCode(), ready.body());
    assertEquals(
        "[\"initech: not running on its node lw-1: its engine could not start: boom (not running"
            + " for 31 s)\"]",
        JSON.readTree(ready.body()).path("notLive").toString());
  }

  @Test
  void readyAndMetricsSayHowManyAlertsTheNodeTookOverFromNodesGone() throws Exception {
    running.set(List.of(new LiveOrg("acme")));
    ClusterStatus owner =
        new ClusterStatus(
            "lw-2", List.of("lw-2", "lw-3"), 3, true, List.of("acme"), Set.of("acme"), Map.of());
    status.set(owner);
    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("leakwatch_cluster_spooled_taken_over_total 0.0"), metrics);

    status.set(owner.withSpooledTakenOver(Map.of("acme", 3L)));
    HttpResponse<String> ready = get("/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(3, JSON.readTree(ready.body()).at("/cluster/spooledTakenOver/acme").asLong());
    metrics = get("/metrics").body();
    assertTrue(metrics.contains("leakwatch_cluster_spooled_taken_over_total 3.0"), metrics);
  }

  private HttpResponse<String> post(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"approver\": \"jane\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** An org whose one stream is open. */
  private record LiveOrg(String name) implements MonitoredOrg {
    private static final PipelineStats STATS = new PipelineStats();

    @Override
    public List<TopicStatus> topics() {
      return List.of(new TopicStatus("/event/ApiEventStream", true, 0, 0, 0));
    }

    @Override
    public PipelineStats stats() {
      return STATS;
    }

    @Override
    public RulePack activePack() {
      return PACK;
    }

    @Override
    public Path rulesFolder() {
      return null;
    }

    @Override
    public void reload(RulePack pack) {}

    @Override
    public long lastCheckpointSave() {
      return 0;
    }
  }
}
