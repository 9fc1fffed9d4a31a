package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.loginpoll.LoginHistoryRow;
import io.leakwatch.loginpoll.RecentLogins;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.rulepack.RulePackLoader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A LoginHistory batch whose confirmation timed out is sent again by the poll's next round, while
 * the first copy may still wait in detection: detection processes the rows once.
 */
class PollResendTest {
  private final Vertx vertx = Vertx.vertx();
  private DetectionPipeline pipeline;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void aBatchSentAgainAfterItsConfirmationTimedOutIsProcessedOnce() throws Exception {
    Messages.registerCodecs(vertx);
    pipeline =
        new DetectionPipeline(
            RulePackLoader.fromDirectory(Path.of("../rules/pack")),
            OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")),
            new DetectionPipeline.Options(0, false, DeadLetters.none()));
    RecentLogins logins = new RecentLogins();
    vertx
        .deployVerticle(
            new DetectionVerticle(
                pipeline, List.of(TopicTypes.LOGIN_HISTORY), 2_000, null, logins, 2_000),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setInstances(1))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    ObjectNode row = new ObjectMapper().createObjectNode();
    row.putObject("attributes").put("type", "LoginHistory");
    row.put("Id", "0Ya000000000001AAA");
    row.put("UserId", "005000000000001AAA");
    row.put("LoginTime", "2026-03-10T01:00:00.000+0000");
    row.put("LoginType", "Remote Access 2.0");
    row.put("Status", "Success");
    row.put("SourceIp", "192.0.2.77");

    // The first copy and the resend, both handed over before either is confirmed: the resend is
    // read again from LoginHistory, so it is a new event of the same row.
    Future<Object> first = send(LoginHistoryRow.toEvent(row, System.nanoTime()));
    Future<Object> resend = send(LoginHistoryRow.toEvent(row, System.nanoTime()));
    Future.all(first, resend).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertEquals(1L, pipeline.stats().processedByTopic().get(TopicTypes.LOGIN_HISTORY));
    assertEquals(1, logins.resent());
    assertEquals(0, logins.duplicates(), "not a login the other source delivered");
  }

  private Future<Object> send(ReceivedEvent event) {
    return vertx
        .eventBus()
        .request(Messages.EVENTS, new Messages.EventBatch(TopicTypes.LOGIN_HISTORY, List.of(event)))
        .map(reply -> reply.body());
  }
}
