package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.rulepack.Severity;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSinkTest {
  private static final String SECRET = "whsec-0123456789abcdef";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private SpooledAlertSink webhook(String url, Path spool, DrillPolicy drills, AlertFormat format)
      throws Exception {
    WebhookTransport transport =
        new WebhookTransport(
            URI.create(url),
            new WebhookSignature(SECRET.getBytes(StandardCharsets.UTF_8)),
            HttpClient.newHttpClient(),
            Duration.ofSeconds(5),
            Clock.systemUTC());
    return new SpooledAlertSink(
        "webhooks[0]", spool, format::render, drills, false, transport, FAST);
  }

  /** The verification recipe of the README, written out independently of WebhookSignature. */
  private static String expectedSignature(String timestamp, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "v1="
        + HexFormat.of()
            .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void postsTheAlertSignedOverTimestampAndBodyWithTheDeliveryKeyAsIdempotencyKey()
      throws Exception {
    try (HttpReceiver receiver = new HttpReceiver(0);
        SpooledAlertSink sink =
            webhook(
                receiver.url(), dir.resolve("spool"), DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
      sink.accept(TestAlerts.alert("w1"));
      HttpReceiver.Request request = receiver.successful(1, WAIT).get(0);
      assertEquals("application/json", request.header("Content-Type"));
      assertEquals("w1", request.header("Idempotency-Key"));
      long timestamp = Long.parseLong(request.header("Leakwatch-Timestamp"));
      assertTrue(Math.abs(Instant.now().getEpochSecond() - timestamp) < 60);
      assertEquals(
          expectedSignature(request.header("Leakwatch-Timestamp"), request.body()),
          request.header("Leakwatch-Signature"));
      WebhookSignature verifier = new WebhookSignature(SECRET.getBytes(StandardCharsets.UTF_8));
      byte[] body = request.body().getBytes(StandardCharsets.UTF_8);
      assertTrue(
          verifier.verify(
              request.header("Leakwatch-Signature"),
              request.header("Leakwatch-Timestamp"),
              body,
              timestamp,
              300));
      assertFalse(
          verifier.verify(
              request.header("Leakwatch-Signature"),
              request.header("Leakwatch-Timestamp"),
              body,
              timestamp + 301,
              300),
          "an old timestamp is a replay");
      byte[] tampered = request.body().replace("240", "241").getBytes(StandardCharsets.UTF_8);
      assertFalse(
          verifier.verify(
              request.header("Leakwatch-Signature"),
              request.header("Leakwatch-Timestamp"),
              tampered,
              timestamp,
              300));
      JsonNode alert = JSON.readTree(request.body());
      assertEquals("w1", alert.get("id").asText());
      assertEquals("LW-001", alert.get("ruleId").asText());
      assertTrue(sink.awaitDrained(WAIT));
      assertEquals(1, sink.stats().delivered());
    }
  }

  @Test
  void nothingIsLostWhileTheReceiverIsDownAndDeliveryKeepsTheOrder() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/hook";
    try (SpooledAlertSink sink =
        webhook(url, dir.resolve("spool"), DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
      for (int i = 0; i < 5; i++) {
        sink.accept(TestAlerts.alert("down" + i));
      }
      HttpReceiver.await(() -> sink.stats().retries() >= 3, WAIT);
      assertEquals(5, sink.pending());
      assertTrue(
          sink.stats().lastFailure().contains("ConnectException"), sink.stats().lastFailure());
      try (HttpReceiver receiver = new HttpReceiver(port)) {
        List<HttpReceiver.Request> got = receiver.successful(5, WAIT);
        assertTrue(sink.awaitDrained(WAIT));
        assertEquals(
            List.of("down0", "down1", "down2", "down3", "down4"),
            got.stream().map(r -> r.header("Idempotency-Key")).toList());
      }
    }
  }

  @Test
  void serverErrorsAreRetriedAndTooManyRequestsWaitsForRetryAfter() throws Exception {
    try (HttpReceiver receiver = new HttpReceiver(0);
        SpooledAlertSink sink =
            webhook(
                receiver.url(), dir.resolve("spool"), DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
      receiver.script.add(new HttpReceiver.Answer(503, Map.of(), "busy"));
      receiver.script.add(new HttpReceiver.Answer(500, Map.of(), ""));
      receiver.script.add(new HttpReceiver.Answer(429, Map.of("Retry-After", "1"), "slow down"));
      sink.accept(TestAlerts.alert("r1"));
      List<HttpReceiver.Request> got = receiver.successful(4, WAIT);
      assertTrue(sink.awaitDrained(WAIT));
      assertEquals(4, got.size());
      got.forEach(r -> assertEquals("r1", r.header("Idempotency-Key")));
      long waited = got.get(3).atNanos() - got.get(2).atNanos();
      assertTrue(
          waited >= 950_000_000L,
          "Retry-After: 1 was honoured, waited " + waited / 1_000_000 + " ms");
      assertEquals(3, sink.stats().retries());
      assertEquals(1, sink.stats().delivered());
    }
  }

  @Test
  void aClientErrorIsDeadLetteredWithTheReasonAndTheQueueMovesOn() throws Exception {
    try (HttpReceiver receiver = new HttpReceiver(0);
        SpooledAlertSink sink =
            webhook(
                receiver.url(), dir.resolve("spool"), DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
      receiver.script.add(new HttpReceiver.Answer(400, Map.of(), "{\"error\":\"unknown field\"}"));
      sink.accept(TestAlerts.alert("bad"));
      sink.accept(TestAlerts.alert("good"));
      receiver.successful(2, WAIT);
      assertTrue(sink.awaitDrained(WAIT));
      List<String> dead = Files.readAllLines(sink.deadLetterFile());
      assertEquals(1, dead.size());
      JsonNode letter = JSON.readTree(dead.get(0));
      assertEquals("bad", letter.get("deliveryKey").asText());
      assertEquals("webhooks[0]", letter.get("sink").asText());
      assertTrue(letter.get("reason").asText().startsWith("HTTP 400"), letter.toString());
      assertEquals(
          "bad",
          JSON.readTree(letter.get("payload").asText()).get("id").asText(),
          "the payload is kept for a manual replay");
      assertEquals(1, sink.stats().deadLettered());
      assertEquals(1, sink.stats().delivered());
    }
  }

  @Test
  void aRestartResumesTheSpoolAndNeverSendsADeliveredAlertAgain() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/hook";
    Path spool = dir.resolve("spool");
    try (SpooledAlertSink sink = webhook(url, spool, DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
      sink.accept(TestAlerts.alert("s1"));
      sink.accept(TestAlerts.alert("s2"));
    }
    assertEquals(2, Files.readAllLines(spool.resolve("pending.jsonl")).size(), "both are on disk");
    try (HttpReceiver receiver = new HttpReceiver(port);
        SpooledAlertSink sink = webhook(url, spool, DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
      receiver.successful(2, WAIT);
      assertTrue(sink.awaitDrained(WAIT));
      sink.accept(TestAlerts.alert("s1"));
      sink.accept(TestAlerts.alert("s3"));
      receiver.successful(3, WAIT);
      assertTrue(sink.awaitDrained(WAIT));
      assertEquals(
          List.of("s1", "s2", "s3"),
          receiver.requests.stream().map(r -> r.header("Idempotency-Key")).toList());
      assertEquals(
          0, Files.size(spool.resolve("pending.jsonl")), "an empty queue truncates the spool");
    }
    try (HttpReceiver receiver = new HttpReceiver(port);
        SpooledAlertSink sink = webhook(url, spool, DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
      sink.accept(TestAlerts.alert("s2"));
      sink.accept(TestAlerts.alert("s4"));
      receiver.successful(1, WAIT);
      assertTrue(sink.awaitDrained(WAIT));
      assertEquals(
          List.of("s4"), receiver.requests.stream().map(r -> r.header("Idempotency-Key")).toList());
    }
  }

  @Test
  void drillsStayOutByDefaultAndAreMarkedWhenLetThrough() throws Exception {
    try (HttpReceiver receiver = new HttpReceiver(0)) {
      try (SpooledAlertSink sink =
          webhook(receiver.url(), dir.resolve("skip"), DrillPolicy.SKIP, AlertFormat.LEAKWATCH)) {
        sink.accept(TestAlerts.alert("drill1", Severity.CRITICAL, true));
        sink.accept(TestAlerts.alert("real1"));
        receiver.successful(1, WAIT);
        assertTrue(sink.awaitDrained(WAIT));
        assertEquals(1, sink.stats().skipped());
        assertEquals(
            List.of("real1"),
            receiver.requests.stream().map(r -> r.header("Idempotency-Key")).toList());
      }
      receiver.requests.clear();
      try (SpooledAlertSink sink =
          webhook(receiver.url(), dir.resolve("mark"), DrillPolicy.MARK, AlertFormat.OCSF)) {
        sink.accept(TestAlerts.alert("drill2", Severity.CRITICAL, true));
        JsonNode finding = JSON.readTree(receiver.successful(1, WAIT).get(0).body());
        assertFalse(finding.get("is_alert").asBoolean(), "a drill is not an alertable signal");
        assertTrue(finding.get("message").asText().startsWith("[DRILL]"));
        assertTrue(finding.get("unmapped").get("drill").asBoolean());
      }
    }
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDateAndCapped() {
    Clock clock = Clock.fixed(Instant.parse("2026-03-09T14:00:00Z"), ZoneOffset.UTC);
    WebhookTransport transport =
        new WebhookTransport(
            URI.create("http://127.0.0.1:1/"),
            null,
            HttpClient.newHttpClient(),
            Duration.ofSeconds(1),
            clock);
    assertEquals(Duration.ofSeconds(120), transport.retryAfter("120"));
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.parse("2026-03-09T14:00:30Z").atZone(ZoneOffset.UTC));
    assertEquals(Duration.ofSeconds(30), transport.retryAfter(date));
    assertEquals(Duration.ofHours(1), transport.retryAfter("86400"));
    assertNull(transport.retryAfter("soon"));
    assertNotNull(transport.retryAfter("0"));
  }

  /**
   * A receiver that answers one way, on one connection: {@code head} (status line and headers),
   * then {@code bodyBytes} of body written as fast as the client reads, then it waits for the
   * client to close. Reports how much of the body it wrote and when the client closed.
   */
  private static final class RawReceiver implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    final java.util.concurrent.atomic.AtomicLong written =
        new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.CountDownLatch closedByClient =
        new java.util.concurrent.CountDownLatch(1);
    private final Thread thread;

    RawReceiver(String head, long bodyBytes) throws java.io.IOException {
      thread =
          new Thread(
              () -> {
                try (java.net.Socket socket = server.accept()) {
                  socket.getInputStream().read(new byte[65_536]); // the request
                  java.io.OutputStream out = socket.getOutputStream();
                  out.write(head.getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  byte[] block = new byte[8_192];
                  java.util.Arrays.fill(block, (byte) 'x');
                  try {
                    while (written.get() < bodyBytes) {
                      int n = (int) Math.min(block.length, bodyBytes - written.get());
                      out.write(block, 0, n);
                      written.addAndGet(n);
                    }
                    out.flush();
                    while (socket.getInputStream().read() >= 0) {
                      // a stalled answer: wait for the client to give up
                    }
                  } catch (java.io.IOException closed) {
                    // the client closed the connection
                  }
                  closedByClient.countDown();
                } catch (java.io.IOException e) {
                  // closed by the test
                }
              },
              "raw-receiver");
      thread.setDaemon(true);
      thread.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
    }
  }

  /** One attempt on the sink's delivery thread, given at most {@code limit} to finish. */
  private static DeliveryOutcome attempt(WebhookTransport transport, Duration limit)
      throws Exception {
    java.util.concurrent.ExecutorService thread =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "attempt");
              t.setDaemon(true);
              return t;
            });
    try {
      return thread
          .submit(() -> transport.send("lw-1", "{}"))
          .get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } finally {
      thread.shutdownNow();
    }
  }

  private static WebhookTransport transport(String url, Duration timeout) {
    return new WebhookTransport(
        URI.create(url),
        new WebhookSignature(SECRET.getBytes(StandardCharsets.UTF_8)),
        HttpClient.newHttpClient(),
        timeout,
        Clock.systemUTC());
  }

  /**
   * 200 and its headers, then the body stalls: the timeout covers the whole answer, so the attempt
   * ends (to be retried; the alert is not counted delivered on a half answer) and the connection is
   * closed, instead of holding the sink's only delivery thread for good.
   */
  @Test
  void anAnswerWhoseBodyStallsEndsTheAttemptAtTheTimeoutToBeRetried() throws Exception {
    try (RawReceiver receiver =
        new RawReceiver(
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\nok", 0)) {
      long start = System.nanoTime();
      DeliveryOutcome outcome = attempt(transport(receiver.url(), Duration.ofSeconds(1)), WAIT);
      long took = (System.nanoTime() - start) / 1_000_000;
      assertTrue(outcome instanceof DeliveryOutcome.Retry, outcome.toString());
      assertTrue(took < 5_000, "the 1 s timeout ended the attempt after " + took + " ms");
      assertTrue(
          receiver.closedByClient.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
          "the stalled connection is closed");
    }
  }

  /**
   * An answer without end (16 MiB here): only the start is read, enough for the dead letter's
   * reason, and the connection is closed rather than read to the end.
   */
  @Test
  void onlyTheStartOfALongAnswerIsReadForTheDeadLettersReason() throws Exception {
    long size = 16L * 1024 * 1024;
    try (RawReceiver receiver =
        new RawReceiver("HTTP/1.1 400 Bad Request\r\nContent-Length: " + size + "\r\n\r\n", size)) {
      DeliveryOutcome outcome = attempt(transport(receiver.url(), Duration.ofSeconds(5)), WAIT);
      assertTrue(outcome instanceof DeliveryOutcome.Dead, outcome.toString());
      String reason = ((DeliveryOutcome.Dead) outcome).reason();
      assertEquals("HTTP 400: " + "x".repeat(200) + "…", reason);
      assertTrue(
          receiver.closedByClient.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(
          receiver.written.get() < size / 2,
          "the client read " + receiver.written.get() + " bytes of " + size);
    }
  }
}
