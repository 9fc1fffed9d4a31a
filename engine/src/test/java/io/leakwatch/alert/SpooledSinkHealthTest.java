package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.checkpoint.DurableFile;
import io.leakwatch.testing.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a spooled sink tells readiness (through {@link SinkProblems}): alerts waiting too long,
 * alerts refused for good with none delivered since, a delivery thread that stopped. Counts and
 * ages only: never the receiver's answer, which may quote anything.
 */
class SpooledSinkHealthTest {
  private static final Backoff FAST = new Backoff(Duration.ofMillis(5), Duration.ofMillis(20));
  private static final long STALL = 3_000;

  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(now.get());
        }
      };

  /** Answers from a script, then the last answer again. */
  private static final class Scripted implements DeliveryTransport {
    final ConcurrentLinkedDeque<DeliveryOutcome> script = new ConcurrentLinkedDeque<>();

    @Override
    public DeliveryOutcome send(String deliveryKey, String payload) {
      DeliveryOutcome next = script.size() > 1 ? script.poll() : script.peek();
      if (next == null) {
        throw new AssertionError("a bug in the transport (injected)");
      }
      return next;
    }
  }

  private SpooledAlertSink sink(DeliveryTransport transport) throws Exception {
    return new SpooledAlertSink(
        "webhooks[0]",
        dir.resolve("spool"),
        AlertFormat.LEAKWATCH::render,
        DrillPolicy.SKIP,
        false,
        transport,
        FAST,
        clock);
  }

  private List<String> problems(SpooledAlertSink sink) {
    return SinkProblems.of(sink.stats(), now.get(), STALL);
  }

  @Test
  void alertsWaitingLongerThanAllowedAreAProblemThatSaysHowManyAndHowLong() throws Exception {
    Scripted transport = new Scripted();
    transport.script.add(DeliveryOutcome.retry("HTTP 503: secret-ish answer"));
    try (SpooledAlertSink sink = sink(transport)) {
      sink.accept(TestAlerts.alert("a"));
      now.addAndGet(1_000);
      sink.accept(TestAlerts.alert("b"));
      Await.until(() -> sink.stats().retries() >= 2, "retries");
      assertEquals(List.of(), problems(sink), "not yet waited longer than allowed");
      now.addAndGet(4_000);
      assertEquals(
          List.of("alert sink webhooks[0]: 2 alert(s) not delivered, the oldest waiting for 5 s"),
          problems(sink));
      transport.script.clear();
      transport.script.add(DeliveryOutcome.delivered());
      assertTrue(sink.awaitDrained(Duration.ofSeconds(20)));
      assertEquals(List.of(), problems(sink));
    }
  }

  @Test
  void theWaitOfAnAlertSurvivesARestart() throws Exception {
    Scripted down = new Scripted();
    down.script.add(DeliveryOutcome.retry("HTTP 503"));
    try (SpooledAlertSink sink = sink(down)) {
      sink.accept(TestAlerts.alert("a"));
    }
    now.addAndGet(10_000);
    try (SpooledAlertSink sink = sink(down)) {
      assertEquals(
          List.of("alert sink webhooks[0]: 1 alert(s) not delivered, the oldest waiting for 10 s"),
          problems(sink));
    }
  }

  /**
   * The dead-letter count (a metric) and the refusals since the last delivery (readiness) are read
   * back from the spool's files at start: a restart hid a receiver that refused everything.
   */
  @Test
  void deadLetterCountsAndRefusalsSinceTheLastDeliverySurviveARestart() throws Exception {
    Scripted transport = new Scripted();
    transport.script.add(new DeliveryOutcome.Dead("HTTP 400: bad field"));
    transport.script.add(DeliveryOutcome.delivered());
    transport.script.add(new DeliveryOutcome.Dead("HTTP 401: token revoked"));
    try (SpooledAlertSink sink = sink(transport)) {
      sink.accept(TestAlerts.alert("a"));
      sink.accept(TestAlerts.alert("b"));
      Await.until(() -> sink.stats().delivered() == 1, "b delivered");
      now.addAndGet(1_000);
      sink.accept(TestAlerts.alert("c"));
      sink.accept(TestAlerts.alert("d"));
      Await.until(() -> sink.stats().deadLettered() == 3, "c and d refused");
    }
    now.addAndGet(5_000);
    try (SpooledAlertSink sink = sink(transport)) {
      assertEquals(3, sink.stats().deadLettered(), "every dead letter in the file");
      assertEquals(2, sink.stats().refusedInRow(), "c and d, refused since b was delivered");
      assertEquals(
          List.of(
              "alert sink webhooks[0]: 2 alert(s) refused for good and dead-lettered, the first 5 s"
                  + " ago, none delivered since"),
          problems(sink));
    }
  }

  @Test
  void anAlertRefusedForGoodIsAProblemUntilTheSinkDeliversOneAgain() throws Exception {
    Scripted transport = new Scripted();
    transport.script.add(new DeliveryOutcome.Dead("HTTP 401: token xyz revoked"));
    transport.script.add(new DeliveryOutcome.Dead("HTTP 401: token xyz revoked"));
    try (SpooledAlertSink sink = sink(transport)) {
      sink.accept(TestAlerts.alert("a"));
      Await.until(() -> sink.stats().deadLettered() == 1, "the dead letter");
      now.addAndGet(2_000);
      assertEquals(
          List.of(
              "alert sink webhooks[0]: 1 alert(s) refused for good and dead-lettered, the first 2 s"
                  + " ago, none delivered since"),
          problems(sink));
      transport.script.clear();
      transport.script.add(DeliveryOutcome.delivered());
      sink.accept(TestAlerts.alert("b"));
      assertTrue(sink.awaitDrained(Duration.ofSeconds(20)));
      assertEquals(List.of(), problems(sink), "the receiver takes alerts again");
      assertEquals(1, sink.stats().deadLettered(), "still counted");
    }
  }

  @Test
  void aDeliveryThreadStoppedByAnErrorIsAProblemAtOnce() throws Exception {
    Scripted transport = new Scripted(); // empty: throws an AssertionError, an Error
    try (SpooledAlertSink sink = sink(transport)) {
      sink.accept(TestAlerts.alert("a"));
      Await.until(() -> sink.stats().stoppedBy() != null, "the thread to stop");
      assertEquals(
          List.of(
              "alert sink webhooks[0]: delivery thread stopped (AssertionError); 1 alert(s) wait"
                  + " in its spool until a restart"),
          problems(sink));
    }
  }

  @Test
  void aLinkageErrorInOneAttemptIsRetriedNotFatal() throws Exception {
    AtomicLong calls = new AtomicLong();
    DeliveryTransport flaky =
        (key, payload) -> {
          if (calls.incrementAndGet() < 3) {
            throw new NoClassDefFoundError("injected");
          }
          return DeliveryOutcome.delivered();
        };
    try (SpooledAlertSink sink = sink(flaky)) {
      sink.accept(TestAlerts.alert("a"));
      assertTrue(sink.awaitDrained(Duration.ofSeconds(20)));
      assertFalse(sink.stats().stoppedBy() != null);
      assertEquals(List.of(), problems(sink));
    }
  }

  /**
   * /ready and /metrics read the stats on the Vert.x event loop: they must not wait for the sink's
   * lock, which the delivery thread holds through a rewrite of done.txt or of the dead-letter file
   * (seconds with hundreds of thousands of lines, or a slow disk). Here the dead-letter rewrite of
   * a resend is held still at its folder force.
   */
  @Test
  void statsAnswerWhileTheDeliveryThreadHoldsTheLockThroughARewrite() throws Exception {
    Scripted transport = new Scripted();
    transport.script.add(new DeliveryOutcome.Dead("HTTP 401"));
    transport.script.add(DeliveryOutcome.delivered());
    CountDownLatch rewriting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (SpooledAlertSink sink = sink(transport)) {
      sink.accept(TestAlerts.alert("a"));
      Await.until(() -> sink.stats().deadLettered() == 1, "the dead letter");
      DurableFile.onFolderForced(
          folder -> {
            if (Thread.currentThread().getName().equals("alert-sink-webhooks[0]")) {
              rewriting.countDown();
              try {
                release.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          });
      try {
        ResendRequest.ask(dir.resolve("spool"));
        assertTrue(rewriting.await(20, TimeUnit.SECONDS), "the resend to rewrite the file");
        SpooledAlertSink.Stats stats =
            assertTimeoutPreemptively(Duration.ofSeconds(5), sink::stats, "stats waited");
        assertEquals(1, stats.deadLettered());
      } finally {
        release.countDown();
        DurableFile.onFolderForced(null);
      }
      Await.until(() -> sink.stats().delivered() == 1, "the letter put back and delivered");
      assertEquals(0, sink.stats().pending());
    }
  }
}
