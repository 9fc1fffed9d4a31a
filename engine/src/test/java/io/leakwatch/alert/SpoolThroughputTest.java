package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of alerts through the spooled webhook: every one arrives once, in order. Prints what it
 * took (fsync'd spool writes on the engine's side, HTTP deliveries on the sink's thread).
 */
class SpoolThroughputTest {
  private static final int ALERTS = 500;

  @TempDir Path dir;

  @Test
  void aBurstIsDeliveredCompletelyAndInOrder() throws Exception {
    try (HttpReceiver receiver = new HttpReceiver(0);
        SpooledAlertSink sink =
            new SpooledAlertSink(
                "webhooks[0]",
                dir.resolve("spool"),
                AlertJson::toJson,
                DrillPolicy.SKIP,
                false,
                new WebhookTransport(
                    URI.create(receiver.url()),
                    new WebhookSignature("0123456789abcdef".getBytes(StandardCharsets.UTF_8)),
                    HttpClient.newHttpClient(),
                    Duration.ofSeconds(5),
                    Clock.systemUTC()),
                Backoff.DEFAULT)) {
      long start = System.nanoTime();
      for (int i = 0; i < ALERTS; i++) {
        sink.accept(TestAlerts.alert("burst" + i));
      }
      long accepted = System.nanoTime();
      assertTrue(sink.awaitDrained(Duration.ofSeconds(120)));
      long drained = System.nanoTime();
      List<String> keys = receiver.requests.stream().map(r -> r.header("Idempotency-Key")).toList();
      assertEquals(IntStream.range(0, ALERTS).mapToObj(i -> "burst" + i).toList(), keys);
      System.out.printf(
          "spooled webhook: %d alerts accepted in %d ms (%.2f ms each, fsync'd), all delivered after %d ms%n",
          ALERTS,
          (accepted - start) / 1_000_000,
          (accepted - start) / 1e6 / ALERTS,
          (drained - start) / 1_000_000);
    }
  }
}
