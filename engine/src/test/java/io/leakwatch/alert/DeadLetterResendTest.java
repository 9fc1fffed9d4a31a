package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts a collector refused for good with 401 (its token was rotated) are put back into the spool
 * once the token is fixed, and each is then delivered exactly once: with no engine running, beside
 * a running one, run twice, and after a crash between putting them back and emptying the file.
 */
class DeadLetterResendTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));
  private static final HttpReceiver.Answer UNAUTHORIZED =
      new HttpReceiver.Answer(401, Map.of(), "{\"error\":\"token expired\"}");

  @TempDir Path dir;

  private SpooledAlertSink webhook(HttpReceiver receiver, Path spool) throws Exception {
    return webhook(receiver, spool, FAST);
  }

  private SpooledAlertSink webhook(HttpReceiver receiver, Path spool, Backoff backoff)
      throws Exception {
    WebhookTransport transport =
        new WebhookTransport(
            URI.create(receiver.url()),
            new WebhookSignature("whsec-0123456789abcdef".getBytes(StandardCharsets.UTF_8)),
            HttpClient.newHttpClient(),
            Duration.ofSeconds(5),
            Clock.systemUTC());
    return new SpooledAlertSink(
        "soc", spool, AlertFormat.LEAKWATCH::render, DrillPolicy.SKIP, false, transport, backoff);
  }

  /** Two alerts refused with 401 by a running sink, which stays open. */
  private SpooledAlertSink refusedTwice(HttpReceiver receiver, Path spool) throws Exception {
    receiver.script.add(UNAUTHORIZED);
    receiver.script.add(UNAUTHORIZED);
    SpooledAlertSink sink = webhook(receiver, spool);
    sink.accept(TestAlerts.alert("lw-1"));
    sink.accept(TestAlerts.alert("lw-2"));
    assertTrue(sink.awaitDrained(WAIT));
    assertEquals(2, sink.stats().deadLettered());
    return sink;
  }

  private static long sent(HttpReceiver receiver, String key) {
    return receiver.requests.stream().filter(r -> key.equals(r.header("Idempotency-Key"))).count();
  }

  @Test
  void withNoEngineRunningTheyArePutBackOnceAndTheNextStartDeliversThem() throws Exception {
    Path spool = dir.resolve("spool");
    try (HttpReceiver receiver = new HttpReceiver(0)) {
      refusedTwice(receiver, spool).close();

      DeadLetterResend.Result first = DeadLetterResend.run(spool, Duration.ZERO);
      assertEquals(DeadLetterResend.How.PUT_BACK, first.how());
      assertEquals(2, first.requeued());
      assertEquals("", Files.readString(DeadLetterResend.file(spool)), "no longer dead letters");
      assertEquals(
          DeadLetterResend.How.NOTHING_TO_SEND, DeadLetterResend.run(spool, Duration.ZERO).how());

      try (SpooledAlertSink restarted = webhook(receiver, spool)) {
        assertTrue(restarted.awaitDrained(WAIT));
        assertEquals(2, restarted.stats().delivered());
      }
      assertEquals(2, sent(receiver, "lw-1"), "refused once, delivered once");
      assertEquals(2, sent(receiver, "lw-2"));
      try (SpooledAlertSink again = webhook(receiver, spool)) {
        assertEquals(0, again.pending(), "delivered ones are finished for good");
      }
    }
  }

  @Test
  void besideARunningEngineItsSinkTakesTheRequestAndDelivers() throws Exception {
    Path spool = dir.resolve("spool");
    try (HttpReceiver receiver = new HttpReceiver(0);
        SpooledAlertSink running = refusedTwice(receiver, spool)) {
      DeadLetterResend.Result result = DeadLetterResend.run(spool, WAIT);
      assertEquals(DeadLetterResend.How.TAKEN_BY_ENGINE, result.how());
      assertEquals(2, result.deadLetters());
      HttpReceiver.await(() -> running.stats().delivered() == 2, WAIT);
      assertFalse(Files.exists(spool.resolve(ResendRequest.FILE)));
      assertEquals(DeadLetterResend.How.NOTHING_TO_SEND, DeadLetterResend.run(spool, WAIT).how());
      assertEquals(2, sent(receiver, "lw-1"));
      assertEquals(2, sent(receiver, "lw-2"));
    }
  }

  /** A crash after the spool took them back but before the file was emptied: run again. */
  @Test
  void aDeadLetterPutBackTwiceIsSentOnce() throws Exception {
    Path spool = dir.resolve("spool");
    try (HttpReceiver receiver = new HttpReceiver(0)) {
      refusedTwice(receiver, spool).close();
      String letters = Files.readString(DeadLetterResend.file(spool));
      DeadLetterResend.run(spool, Duration.ZERO);
      Files.writeString(DeadLetterResend.file(spool), letters); // as if the crash came first
      DeadLetterResend.Result again = DeadLetterResend.run(spool, Duration.ZERO);
      assertEquals(0, again.requeued());
      assertEquals(2, again.alreadyRequeued());
      try (SpooledAlertSink restarted = webhook(receiver, spool)) {
        assertTrue(restarted.awaitDrained(WAIT));
      }
      // and once delivered, still not again
      Files.writeString(DeadLetterResend.file(spool), letters);
      assertEquals(0, DeadLetterResend.run(spool, Duration.ZERO).requeued());
      try (SpooledAlertSink restarted = webhook(receiver, spool)) {
        assertEquals(0, restarted.pending());
      }
      assertEquals(2, sent(receiver, "lw-1"));
      assertEquals(2, sent(receiver, "lw-2"));
    }
  }

  /**
   * The dead letters went back into the queue but the dead-letter file could not be rewritten (a
   * full disk): /ready and /metrics count them at once, not when the sink's retry wait ends.
   */
  @Test
  void aResendThatCannotRewriteTheFileStillCountsWhatItPutBack() throws Exception {
    Path spool = dir.resolve("spool");
    try (HttpReceiver receiver = new HttpReceiver(0)) {
      refusedTwice(receiver, spool).close();
      receiver.script.add(new HttpReceiver.Answer(503, Map.of(), "busy"));
      Backoff slow = new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(10));
      try (SpooledAlertSink waiting = webhook(receiver, spool, slow)) {
        waiting.accept(TestAlerts.alert("lw-3"));
        HttpReceiver.await(() -> sent(receiver, "lw-3") == 1, WAIT); // answered 503: 10 min wait
        // The rewrite's temporary file cannot be created where a folder stands.
        Files.createDirectory(spool.resolve("dead-letters.jsonl.tmp"));
        assertEquals(1, waiting.pending());
        ResendRequest.ask(spool);
        HttpReceiver.await(() -> waiting.pending() == 3, WAIT);
      }
    }
  }

  /** A dead letter refused again goes back to the file, and can be put back again. */
  @Test
  void aDeadLetterRefusedAgainCanBePutBackAgain() throws Exception {
    Path spool = dir.resolve("spool");
    try (HttpReceiver receiver = new HttpReceiver(0);
        SpooledAlertSink running = refusedTwice(receiver, spool)) {
      receiver.script.add(UNAUTHORIZED);
      assertEquals(DeadLetterResend.How.TAKEN_BY_ENGINE, DeadLetterResend.run(spool, WAIT).how());
      HttpReceiver.await(
          () -> running.stats().delivered() == 1 && running.stats().deadLettered() == 3, WAIT);
      List<String> dead = Files.readAllLines(DeadLetterResend.file(spool));
      assertEquals(1, dead.size());
      assertTrue(dead.get(0).contains("\"deliveryKey\":\"lw-1\""), dead.get(0));
      assertEquals(DeadLetterResend.How.TAKEN_BY_ENGINE, DeadLetterResend.run(spool, WAIT).how());
      HttpReceiver.await(() -> running.stats().delivered() == 2, WAIT);
      assertEquals(3, sent(receiver, "lw-1"));
      assertEquals(2, sent(receiver, "lw-2"));
    }
  }
}
