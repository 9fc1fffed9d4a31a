package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.leakwatch.alert.AlertFormat;
import io.leakwatch.alert.Backoff;
import io.leakwatch.alert.DrillPolicy;
import io.leakwatch.alert.SpooledAlertSink;
import io.leakwatch.alert.WebhookTransport;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook sink takes alerts into its spool and returns, so the engine's own delivery never stalls
 * on it: a receiver that answers 503 must still show, in {@code /ready} (the sink named, once its
 * oldest alert has waited longer than {@code sinkStallSeconds}) and in {@code /metrics} (what
 * waits, and for how long), and both must clear once the receiver takes the alerts.
 */
@Tag("faults")
class SpooledSinkReadinessTest {
  private static final String SINK = "webhooks[0]";

  @TempDir Path dir;
  private SimulatedDay day;
  private HttpServer receiver;

  @AfterEach
  void stop() {
    if (day != null) {
      day.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void aWebhookReceiverAnswering503MakesTheEngineNotReadyAndShowsInMetricsUntilItTakesAlerts()
      throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger taken = new AtomicInteger();
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          if (failing.get()) {
            refused.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
          } else {
            taken.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
          }
          exchange.close();
        });
    receiver.start();
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?token=s3cret";
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    try (SpooledAlertSink webhook =
            new SpooledAlertSink(
                SINK,
                dir.resolve("spool"),
                AlertFormat.LEAKWATCH::render,
                DrillPolicy.SKIP,
                false,
                new WebhookTransport(
                    URI.create(url),
                    null,
                    HttpClient.newHttpClient(),
                    Duration.ofSeconds(5),
                    Clock.systemUTC()),
                new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)));
        LeakwatchEngine engine = day.engineDeliveringTo(webhook, 1_000);
        EngineApi api = EngineApi.on(engine)) {
      new Playback(day.server(), day.events(), 0).run();
      Await.until(() -> refused.get() > 0, "the receiver to refuse an alert");
      Await.until(() -> api.get("/ready").statusCode() == 503, "/ready to report the sink");
      String why = api.get("/ready").body();
      assertTrue(why.contains("alert sink " + SINK + ": "), why);
      assertTrue(why.contains("not delivered, the oldest waiting for"), why);
      assertFalse(why.contains("s3cret") || why.contains("/hook"), "no URL: " + why);
      assertEquals(200, api.get("/health").statusCode(), "the process is alive");
      String metrics = api.get("/metrics").body();
      assertTrue(sample(metrics, "leakwatch_sink_pending") > 0, metrics);
      assertTrue(sample(metrics, "leakwatch_sink_oldest_pending_seconds") >= 1, metrics);
      assertEquals(0, sample(metrics, "leakwatch_sink_delivered_total"), metrics);
      assertEquals(0, sample(metrics, "leakwatch_sink_dead_lettered_total"), metrics);

      // Every alert of the day is in the spool before the receiver comes back; otherwise one
      // decided after the drain is pending again, and its age is not 0.
      Await.until(() -> engine.processed() >= day.events().size(), "the whole day");
      failing.set(false);
      Await.until(() -> api.get("/ready").statusCode() == 200, "/ready once the receiver is back");
      Await.until(
          () -> sample(api.get("/metrics").body(), "leakwatch_sink_pending") == 0,
          "the spool to drain");
      metrics = api.get("/metrics").body();
      assertEquals(0, sample(metrics, "leakwatch_sink_pending"), metrics);
      assertEquals(0, sample(metrics, "leakwatch_sink_oldest_pending_seconds"), metrics);
      double delivered = sample(metrics, "leakwatch_sink_delivered_total");
      assertTrue(delivered > 0 && delivered <= taken.get(), metrics);
      System.out.printf(
          "fault webhook-503: /ready said %s; %d attempts refused, %d alerts taken once back%n",
          why, refused.get(), taken.get());
    }
  }

  /** The value of {@code name}'s sample for the sink. */
  private static double sample(String metrics, String name) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name)
                    + "\\{sink=\""
                    + Pattern.quote(SINK)
                    + "\",?\\} ([0-9.eE+-]+)$")
            .matcher(metrics);
    if (!m.find()) {
      throw new AssertionError("no " + name + " for " + SINK + " in:\n" + metrics);
    }
    return Double.parseDouble(m.group(1));
  }
}
