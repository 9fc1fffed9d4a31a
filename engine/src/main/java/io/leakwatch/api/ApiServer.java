package io.leakwatch.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.alert.AlertJson;
import io.leakwatch.cluster.ClusterStatus;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP API: health, readiness, Prometheus metrics, alerts, rules and drills. Every
 * route, unknown ones included, needs a configured bearer token. Runs on a Vert.x instance of its
 * own; anything that reads files, compiles rules or starts a drill runs off the event loop.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JSON_TYPE = "application/json";

  private final Vertx vertx;
  private final HttpServer server;
  private final ApiMetrics metrics;

  private ApiServer(Vertx vertx, HttpServer server, ApiMetrics metrics) {
    this.vertx = vertx;
    this.server = server;
    this.metrics = metrics;
  }

  /**
   * Listens as {@code config} says and serves {@code orgs}. Blocks until listening.
   *
   * @param drills null when this process cannot run drills ({@code /drills} answers 501)
   */
  public static ApiServer start(
      ApiConfig config, List<MonitoredOrg> orgs, AlertHistory alerts, DrillLauncher drills)
      throws Exception {
    List<MonitoredOrg> fixed = List.copyOf(orgs);
    return start(config, () -> fixed, null, alerts, drills);
  }

  /**
   * Listens as {@code config} says and serves the orgs {@code orgs} supplies at each request: on a
   * cluster node, the orgs it owns at that moment.
   *
   * @param cluster what this node sees of the cluster and owns, or null on a single node
   */
  public static ApiServer start(
      ApiConfig config,
      Supplier<List<MonitoredOrg>> orgs,
      Supplier<ClusterStatus> cluster,
      AlertHistory alerts,
      DrillLauncher drills)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    ApiMetrics metrics = new ApiMetrics(orgs, cluster, System::currentTimeMillis);
    try {
      Router router =
          new Routes(
                  vertx, orgs, cluster, alerts, drills, new BearerTokens(config.tokens()), metrics)
              .router();
      // No cleartext HTTP/2 upgrade: scrapers and scripts speak HTTP/1.1 in the clear (and HTTP/2
      // over TLS through ALPN); the JDK client's h2c upgrade could leave a response body unread.
      HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
      if (config.tls()) {
        options
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(config.tlsCert().toString())
                    .setKeyPath(config.tlsKey().toString()));
      }
      HttpServer server =
          vertx
              .createHttpServer(options)
              .requestHandler(router)
              .listen(config.port(), config.host())
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      LOG.info(
          "HTTP API listening on {}://{}:{}",
          config.tls() ? "https" : "http",
          config.host(),
          server.actualPort());
      return new ApiServer(vertx, server, metrics);
    } catch (Exception e) {
      vertx.close();
      metrics.close();
      throw e instanceof ExecutionException && e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The port it listens on (the one chosen, when configured with 0). */
  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      metrics.close();
    }
  }

  private record Routes(
      Vertx vertx,
      Supplier<List<MonitoredOrg>> orgs,
      Supplier<ClusterStatus> cluster,
      AlertHistory alerts,
      DrillLauncher drills,
      BearerTokens tokens,
      ApiMetrics metrics) {
    Router router() {
      Router router = Router.router(vertx);
      router.route().handler(this::authenticate);
      router
          .get("/health")
          .handler(ctx -> json(ctx, 200, JSON.createObjectNode().put("status", "up")));
      router.get("/ready").handler(this::ready);
      router
          .get("/metrics")
          .handler(
              ctx ->
                  ctx.response()
                      .putHeader("Content-Type", ApiMetrics.CONTENT_TYPE)
                      .end(metrics.scrape()));
      router.get("/alerts").handler(this::alerts);
      router.get("/rules").handler(this::rules);
      router.post("/rules/reload").handler(ctx -> reload(ctx, null));
      router.post("/rules/:org/reload").handler(ctx -> reload(ctx, ctx.pathParam("org")));
      router
          .get("/drills")
          .handler(
              ctx ->
                  drills(
                      ctx,
                      d -> {
                        ArrayNode list = JSON.createArrayNode();
                        d.list().forEach(run -> list.add(drillJson(run)));
                        return JSON.createObjectNode().set("drills", list);
                      }));
      router
          .get("/drills/:id")
          .handler(
              ctx ->
                  drills(
                      ctx,
                      d -> d.find(ctx.pathParam("id")).map(ApiServer::drillJson).orElse(null)));
      router
          .post("/drills")
          .handler(BodyHandler.create().setBodyLimit(64 * 1024))
          .handler(this::startDrill);
      router.get("/actions").handler(this::actions);
      router
          .post("/actions/:org/:id/approve")
          .handler(BodyHandler.create().setBodyLimit(16 * 1024))
          .handler(ctx -> decide(ctx, true));
      router
          .post("/actions/:org/:id/reject")
          .handler(BodyHandler.create().setBodyLimit(16 * 1024))
          .handler(ctx -> decide(ctx, false));
      router
          .route()
          .last()
          .handler(
              ctx ->
                  error(
                      ctx,
                      404,
                      "no such route: " + ctx.request().method() + " " + ctx.request().path()));
      router
          .route()
          .failureHandler(
              ctx -> {
                int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
                String what = ctx.failure() == null ? "status " + status : ctx.failure().toString();
                if (status < 500) {
                  // The client's mistake (a body over the limit...): worth a warning, not an alarm.
                  LOG.warn("API {} {}: {}", ctx.request().method(), route(ctx), what);
                } else {
                  LOG.error(
                      "API request {} {} failed: {}", ctx.request().method(), route(ctx), what);
                }
                if (!ctx.response().ended()) {
                  error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "request failed");
                }
              });
      return router;
    }

    /** Whether {@code org} is configured but processed by another node of the cluster now. */
    private boolean elsewhere(String org) {
      ClusterStatus status = cluster == null ? null : cluster.get();
      return status != null && status.configured().contains(org) && !status.owned().contains(org);
    }

    private String notHere(String org) {
      return "org "
          + org
          + " is not processed on node "
          + cluster.get().node()
          + " now; ask the node whose /ready lists it under cluster.owned";
    }

    private void authenticate(RoutingContext ctx) {
      if (tokens.accepts(ctx.request().getHeader("Authorization"))) {
        ctx.next();
        return;
      }
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"leakwatch\"");
      error(ctx, 401, "a valid bearer token is required");
    }

    private void ready(RoutingContext ctx) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode notLive = body.putArray("notLive");
      ArrayNode notCommitting = body.putArray("notCommitting");
      ObjectNode byOrg = body.putObject("orgs");
      List<MonitoredOrg> running = orgs.get();
      for (MonitoredOrg org : running) {
        if (!org.drill()) {
          // Consuming is not enough: events whose positions or alerts cannot be made durable
          // stop the stream (credit withheld), so the engine is not doing its job.
          org.commitProblems().forEach(p -> notCommitting.add(org.name() + ": " + p));
        }
        ObjectNode topics = byOrg.putObject(org.name());
        for (MonitoredOrg.TopicStatus topic : org.topics()) {
          topics.put(topic.topic(), topic.live() ? "live" : "down");
          if (!topic.live() && !org.drill()) {
            notLive.add(
                org.name() + " " + topic.topic() + (topic.why() == null ? "" : ": " + topic.why()));
          }
        }
      }
      // Drill orgs are shown but never make the process unready: their simulator comes and goes.
      boolean ready = notLive.isEmpty() && notCommitting.isEmpty() && !running.isEmpty();
      ClusterStatus status = cluster == null ? null : cluster.get();
      if (status != null) {
        // A cluster node is ready while it has quorum, even owning nothing (more nodes than orgs),
        // unless an org it should run runs nowhere.
        status
            .stranded()
            .forEach(
                (org, why) ->
                    notLive.add(org + ": not running on its node " + status.node() + ": " + why));
        ready = notLive.isEmpty() && notCommitting.isEmpty() && status.quorum();
        ObjectNode node = body.putObject("cluster");
        node.put("node", status.node());
        status.members().forEach(node.putArray("members")::add);
        node.put("expectedNodes", status.expectedNodes());
        node.put("quorum", status.quorum());
        status.owned().forEach(node.putArray("owned")::add);
        ArrayNode elsewhere = node.putArray("elsewhere");
        status.configured().stream()
            .filter(o -> !status.owned().contains(o))
            .forEach(elsewhere::add);
        // Alerts a lost node had spooled and never sent, which this node sent instead.
        ObjectNode takenOver = node.putObject("spooledTakenOver");
        status.spooledTakenOver().forEach(takenOver::put);
        if (!status.quorum()) {
          body.put(
              "reason",
              "no cluster quorum: sees "
                  + status.members().size()
                  + " of "
                  + status.expectedNodes()
                  + " nodes; processing nothing");
        }
      }
      body.put("ready", ready);
      json(ctx, ready ? 200 : 503, body);
    }

    private void alerts(RoutingContext ctx) {
      AlertQuery query;
      try {
        query = AlertQuery.parse(ctx.request()::getParam);
      } catch (IllegalArgumentException e) {
        error(ctx, 400, e.getMessage());
        return;
      }
      vertx
          .executeBlocking(
              () -> {
                AlertQuery.Page page = alerts.page(query);
                ObjectNode body = JSON.createObjectNode();
                ArrayNode list = body.putArray("alerts");
                for (AlertHistory.Entry entry : page.entries()) {
                  ObjectNode alert = (ObjectNode) JSON.readTree(AlertJson.toJson(entry.alert()));
                  alert.put("org", entry.org());
                  list.add(alert);
                }
                body.put("nextCursor", page.nextCursor());
                return body;
              },
              false)
          .onComplete(
              done -> {
                if (done.succeeded()) {
                  json(ctx, 200, done.result());
                } else {
                  LOG.error("alerts query failed: {}", done.cause().toString());
                  error(
                      ctx,
                      500,
                      "alerts could not be read: " + done.cause().getClass().getSimpleName());
                }
              });
    }

    private void rules(RoutingContext ctx) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode list = body.putArray("orgs");
      for (MonitoredOrg org : orgs.get()) {
        ObjectNode node = list.addObject().put("org", org.name());
        node.put("folder", org.rulesFolder() == null ? null : org.rulesFolder().toString());
        packJson(node.putObject("pack"), org.activePack());
      }
      json(ctx, 200, body);
    }

    /** Response actions per org: what waits for approval and what happened, newest last. */
    private void actions(RoutingContext ctx) {
      ObjectNode body = JSON.createObjectNode();
      ObjectNode byOrg = body.putObject("orgs");
      for (MonitoredOrg org : orgs.get()) {
        io.leakwatch.response.Responder responder = org.responder();
        ObjectNode o = byOrg.putObject(org.name());
        o.put("mode", responder == null ? "off" : responder.settings().mode().label());
        ArrayNode pending = o.putArray("pending");
        ArrayNode history = o.putArray("history");
        if (responder != null) {
          responder.pending().forEach(a -> actionJson(pending.addObject(), a));
          responder.history().forEach(a -> actionJson(history.addObject(), a));
        }
      }
      json(ctx, 200, body);
    }

    /**
     * {@code POST /actions/ORG/ID/approve} or {@code .../reject} with {@code {"approver": ...,
     * "reason": ...}}.
     */
    private void decide(RoutingContext ctx, boolean approve) {
      String orgName = ctx.pathParam("org");
      MonitoredOrg org =
          orgs.get().stream().filter(o -> o.name().equals(orgName)).findFirst().orElse(null);
      if (org == null && elsewhere(orgName)) {
        error(ctx, 409, notHere(orgName));
        return;
      }
      if (org == null || org.responder() == null) {
        error(
            ctx,
            404,
            org == null
                ? "no org named '" + orgName + "'"
                : "response actions are off for org " + orgName);
        return;
      }
      String approver;
      String reason;
      try {
        RequestBody request =
            RequestBody.parse(
                ctx.body().buffer(),
                Set.of("approver", "reason"),
                "{\"approver\": \"jane.doe\", \"reason\": \"...\"}");
        approver = request.text("approver", 200);
        reason = request.text("reason", 1000);
      } catch (RequestBody.Invalid e) {
        error(ctx, 400, e.getMessage());
        return;
      }
      if (approver.isEmpty()) {
        error(
            ctx,
            400,
            "approver is required (who decides, as the audit log should name them; at most 200 characters)");
        return;
      }
      if (!approve && reason.isEmpty()) {
        error(ctx, 400, "reason is required to reject an action");
        return;
      }
      var decided =
          approve
              ? org.responder().approve(ctx.pathParam("id"), approver)
              : org.responder().reject(ctx.pathParam("id"), approver, reason);
      decided.whenComplete(
          (record, failure) ->
              vertx.runOnContext(
                  v -> {
                    Throwable cause =
                        failure instanceof java.util.concurrent.CompletionException
                                && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    if (cause instanceof java.util.NoSuchElementException) {
                      error(ctx, 404, "no action " + ctx.pathParam("id") + " in org " + orgName);
                    } else if (cause instanceof IllegalStateException) {
                      error(ctx, 409, String.valueOf(cause.getMessage()));
                    } else if (cause != null) {
                      error(
                          ctx,
                          500,
                          "the decision could not be recorded: "
                              + cause.getClass().getSimpleName());
                    } else {
                      json(ctx, 200, actionJson(JSON.createObjectNode(), record));
                    }
                  }));
    }

    private static ObjectNode actionJson(ObjectNode o, io.leakwatch.response.ActionRecord a) {
      o.put("id", a.id())
          .put("alertId", a.alertId())
          .put("ruleId", a.ruleId())
          .put("requestedBy", a.requestedBy())
          .put("action", a.action().label())
          .put("userId", a.userId())
          .put("mode", a.mode().label())
          .put("state", a.state().name().toLowerCase(java.util.Locale.ROOT))
          .put("requestedAt", String.valueOf(a.requestedAt()));
      if (a.decidedBy() != null) {
        o.put("decidedBy", a.decidedBy());
      }
      if (a.rejection() != null) {
        o.put("rejection", a.rejection());
      }
      if (a.outcome() != null) {
        o.putObject("outcome")
            .put("done", a.outcome().done())
            .put("status", a.outcome().status())
            .put("errorCode", a.outcome().errorCode())
            .put("attempts", a.outcome().attempts())
            .put("affected", a.outcome().affected());
      }
      return o;
    }

    private void reload(RoutingContext ctx, String only) {
      List<MonitoredOrg> targets = new ArrayList<>();
      for (MonitoredOrg org : orgs.get()) {
        if (only == null ? org.rulesFolder() != null : org.name().equals(only)) {
          targets.add(org);
        }
      }
      if (only != null && targets.isEmpty()) {
        if (elsewhere(only)) {
          error(ctx, 409, notHere(only));
        } else {
          error(ctx, 404, "no org named '" + only + "'");
        }
        return;
      }
      if (targets.isEmpty() || targets.stream().anyMatch(org -> org.rulesFolder() == null)) {
        error(
            ctx,
            409,
            "no rules folder is configured"
                + (only == null ? " for any org" : " for org " + only)
                + "; the built-in pack cannot be reloaded");
        return;
      }
      vertx
          .executeBlocking(
              () -> {
                ObjectNode body = JSON.createObjectNode();
                ArrayNode done = body.putArray("reloaded");
                for (MonitoredOrg org : targets) {
                  try {
                    // Read and compile first: a pack with a problem is refused and the running
                    // rules stay.
                    RulePack pack = RulePackLoader.fromDirectory(org.rulesFolder());
                    org.reload(pack);
                    packJson(done.addObject().put("org", org.name()), pack);
                  } catch (Exception e) {
                    Throwable cause =
                        e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    body.put("org", org.name()).put("error", String.valueOf(cause.getMessage()));
                    return body;
                  }
                }
                return body;
              },
              false)
          .onComplete(
              result -> {
                if (result.failed()) {
                  error(ctx, 500, "reload failed: " + result.cause().getClass().getSimpleName());
                } else {
                  json(ctx, result.result().has("error") ? 422 : 200, result.result());
                }
              });
    }

    private void drills(RoutingContext ctx, Function<DrillLauncher, JsonNode> read) {
      if (drills == null) {
        error(ctx, 501, "this process cannot run drills");
        return;
      }
      vertx
          .executeBlocking(() -> read.apply(drills), false)
          .onComplete(
              result -> {
                if (result.failed()) {
                  error(
                      ctx,
                      500,
                      "drills could not be read: " + result.cause().getClass().getSimpleName());
                } else if (result.result() == null) {
                  error(ctx, 404, "no drill with id '" + ctx.pathParam("id") + "'");
                } else {
                  json(ctx, 200, result.result());
                }
              });
    }

    private void startDrill(RoutingContext ctx) {
      if (drills == null) {
        error(ctx, 501, "this process cannot run drills");
        return;
      }
      DrillLauncher.DrillRequest request;
      try {
        RequestBody body =
            RequestBody.parse(
                ctx.body().buffer(),
                Set.of("org", "scenarios"),
                "{\"scenarios\": \"all\"} or {\"org\": \"drill\", \"scenarios\": [\"LW-001\"]}");
        JsonNode list = body.node("scenarios");
        List<String> scenarios = new ArrayList<>();
        if (list.isTextual() && list.asText().equals("all")) {
          scenarios.add("all");
        } else if (list.isArray() && !list.isEmpty()) {
          for (JsonNode name : list) {
            if (!name.isTextual() || name.asText().isBlank() || name.asText().length() > 100) {
              throw new RequestBody.Invalid("scenarios: every entry must be a scenario name");
            }
            scenarios.add(name.asText());
          }
        } else {
          // A drill runs real traffic through the org: it must be asked for explicitly.
          throw new RequestBody.Invalid(
              "scenarios is required: a list of scenario names, or \"all\"");
        }
        String org = body.text("org", 100);
        request = new DrillLauncher.DrillRequest(org.isEmpty() ? null : org, scenarios);
      } catch (RequestBody.Invalid e) {
        error(ctx, 400, e.getMessage());
        return;
      }
      vertx
          .executeBlocking(() -> drills.start(request), false)
          .onComplete(
              result -> {
                if (result.failed()) {
                  boolean bad = result.cause() instanceof IllegalArgumentException;
                  boolean busy = result.cause() instanceof IllegalStateException;
                  error(
                      ctx,
                      bad ? 400 : busy ? 409 : 500,
                      bad || busy
                          ? result.cause().getMessage()
                          : "the drill could not start: "
                              + result.cause().getClass().getSimpleName());
                } else {
                  ctx.response().putHeader("Location", "/drills/" + result.result().id());
                  json(ctx, 202, drillJson(result.result()));
                }
              });
    }
  }

  private static void packJson(ObjectNode node, RulePack pack) {
    node.put("name", pack.name())
        .put("version", pack.version())
        .put("sha256", pack.sha256())
        .put("origin", pack.origin());
    ArrayNode rules = node.putArray("rules");
    for (RuleDefinition rule : pack.rules()) {
      rules
          .addObject()
          .put("id", rule.id())
          .put("title", rule.metadata().title())
          .put("severity", rule.metadata().severity().label());
    }
  }

  private static JsonNode drillJson(DrillLauncher.DrillRun run) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", run.id())
        .put("org", run.org())
        .put("state", run.state())
        .put("started", run.started() == null ? null : run.started().toString())
        .put("finished", run.finished() == null ? null : run.finished().toString());
    node.set("result", JSON.valueToTree(run.result() == null ? Map.of() : run.result()));
    return node;
  }

  private static void json(RoutingContext ctx, int status, JsonNode body) {
    String text;
    try {
      text = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON_TYPE).end(text);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (status >= 400 && status < 500 && status != 401) {
      // 401s are what scanners get all day; the rest say a caller is doing something wrong.
      LOG.warn("API {} {}: {} {}", ctx.request().method(), route(ctx), status, message);
    } else if (status >= 500) {
      LOG.error("API {} {}: {} {}", ctx.request().method(), route(ctx), status, message);
    }
    json(ctx, status, JSON.createObjectNode().put("error", message));
  }

  /** The route's pattern (never ids or query values from the request). */
  private static String route(RoutingContext ctx) {
    return ctx.currentRoute() != null && ctx.currentRoute().getPath() != null
        ? ctx.currentRoute().getPath()
        : "(no route)";
  }
}
