package io.leakwatch.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.engine.LeakwatchEngine;
import io.leakwatch.engine.SubscriptionVerticle;
import io.leakwatch.pubsub.PubSubEndpoint;
import io.leakwatch.sim.Playback;
import io.leakwatch.sim.SimulatedDay;
import io.leakwatch.sim.traffic.SimEvent;
import io.leakwatch.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The watchdog cannot be lost: streams drop while the reconnect attempt itself fails (the token
 * source throws, the pinned certificate cannot be loaded) or hangs (the token source never
 * answers). Every stream must still be retried on the bounded schedule, each attempt logged and
 * counted, and be back within the ceiling plus 5 s of the fault clearing; nothing lost or
 * duplicated.
 */
@Tag("faults")
class ReconnectFaultsTest {
  private static final long STALE_AFTER_MILLIS = 1_000;
  private static final long CEILING_MILLIS = 2_000;
  private static final long RESUME_BOUND_MILLIS = CEILING_MILLIS + 5_000;
  private static final int ATTEMPTS = 3;
  private static final Pattern ATTEMPT =
      Pattern.compile("subscription (\\S+): reconnect attempt \\d+ from ");

  @TempDir Path dir;
  private SimulatedDay day;
  private FaultProxy proxy;
  private FaultyTokens tokens;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(SubscriptionVerticle.class);
  private Level level;

  @BeforeEach
  void start() throws Exception {
    day = SimulatedDay.serve(dir, Duration.ofMillis(300));
    proxy = new FaultProxy(day.server().port());
    tokens = new FaultyTokens(day.tokens());
    log.start();
    logger.addAppender(log);
    level = logger.getLevel();
    logger.setLevel(Level.INFO); // each attempt is said at INFO; the CLI's default is WARN
  }

  @AfterEach
  void stop() throws Exception {
    tokens.clear();
    logger.detachAppender(log);
    logger.setLevel(level);
    proxy.close();
    day.close();
  }

  @Test
  void theTokenSourceThrowingAtEveryAttempt() throws Exception {
    run(
        "token-source-throws",
        "credential store unreachable",
        () -> tokens.throwing(),
        () -> tokens.clear(),
        pinned());
  }

  @Test
  void theTokenSourceHangingAtEveryAttempt() throws Exception {
    run(
        "token-source-hangs",
        "stream stale",
        () -> tokens.hanging(),
        () -> tokens.clear(),
        pinned());
  }

  @Test
  void theChannelFailingToOpenAtEveryAttempt() throws Exception {
    Path pinned = pinned();
    run(
        "channel-cannot-open",
        pinned.toString(),
        () -> write(pinned, "not a certificate"),
        () -> copy(day.server().certificate(), pinned),
        pinned);
  }

  private Path pinned() throws Exception {
    Path pinned = dir.resolve("pinned.pem");
    Files.copy(day.server().certificate(), pinned, StandardCopyOption.REPLACE_EXISTING);
    return pinned;
  }

  /**
   * @param why what the log must say about the failed attempts
   */
  private void run(String fault, String why, Runnable inject, Runnable clear, Path pinned)
      throws Exception {
    List<SimEvent> events = day.events();
    Playback playback = new Playback(day.server(), events, 10_000);
    try (LeakwatchEngine engine =
        day.engine(
            new PubSubEndpoint("localhost", proxy.port(), pinned),
            tokens,
            day.durability(STALE_AFTER_MILLIS, CEILING_MILLIS),
            1_000)) {
      Thread player = new Thread(playback, "playback");
      player.start();
      Await.until(() -> engine.processed() >= events.size() / 5, "a fifth of the day");
      inject.run();
      Map<String, Long> before = reconnects(engine);
      int logged = logSize();
      // Every stream drops; each attempt to reopen it now meets the fault.
      proxy.cutOff();
      proxy.restore();
      Map<String, Long> attempts;
      Map<String, Long> loggedAttempts;
      String said;
      try {
        Await.until(
            () -> attempts(engine, before).values().stream().allMatch(n -> n >= ATTEMPTS),
            "every topic retried " + ATTEMPTS + " times while the attempts fail",
            Duration.ofSeconds(30));
      } finally {
        attempts = attempts(engine, before);
        loggedAttempts = loggedAttempts(logged);
        said = saidWhy(logged, why);
        System.out.printf("fault %s: attempts while it lasted %s%n", fault, attempts);
        clear.run(); // before the engine closes: a hung call must not hold its close
      }
      long back = System.nanoTime();
      long published = playback.published();
      Await.until(
          () -> engine.subscriptions().stream().allMatch(s -> StreamFaultsTest.heardSince(s, back)),
          "every stream to deliver again after the fault cleared",
          Duration.ofMillis(RESUME_BOUND_MILLIS + 60_000));
      long resumeMillis = (System.nanoTime() - back) / 1_000_000;
      Await.until(() -> engine.processed() >= published, "every event published during it");
      player.join();
      Await.until(() -> engine.processed() >= events.size(), "the whole day");
      day.finish(engine);
      long lost = day.lost();
      long duplicated = day.duplicated();
      System.out.printf(
          "fault %s: %d reconnect attempts while it lasted %s, %d logged; resumed %d ms after"
              + " it cleared (bound %d ms); %d events, %d lost, %d alerts, %d duplicated, scenarios"
              + " detected %s%n",
          fault,
          attempts.values().stream().mapToLong(Long::longValue).sum(),
          attempts,
          loggedAttempts.values().stream().mapToLong(Long::longValue).sum(),
          resumeMillis,
          RESUME_BOUND_MILLIS,
          events.size(),
          lost,
          day.alerts().size(),
          duplicated,
          day.outcome().allDetected());
      assertTrue(said != null, "no attempt was logged with its cause (" + why + ")");
      System.out.printf("fault %s: said %s%n", fault, said);
      for (Map.Entry<String, Long> topic : attempts.entrySet()) {
        assertTrue(
            loggedAttempts.getOrDefault(topic.getKey(), 0L) >= ATTEMPTS,
            topic.getKey() + ": attempts not logged: " + loggedAttempts);
      }
      assertTrue(
          resumeMillis <= RESUME_BOUND_MILLIS,
          "resumed " + resumeMillis + " ms after the fault cleared");
      assertEquals(0, lost, "events never processed");
      assertEquals(0, duplicated, "alerts delivered twice");
    }
  }

  private static Map<String, Long> reconnects(LeakwatchEngine engine) {
    Map<String, Long> counts = new TreeMap<>();
    engine.subscriptions().forEach(s -> counts.put(s.topic(), s.reconnects()));
    return counts;
  }

  private static Map<String, Long> attempts(LeakwatchEngine engine, Map<String, Long> before) {
    Map<String, Long> counts = reconnects(engine);
    counts.replaceAll((topic, n) -> n - before.get(topic));
    return counts;
  }

  private int logSize() {
    synchronized (log) {
      return log.list.size();
    }
  }

  private Map<String, Long> loggedAttempts(int from) {
    Map<String, Long> counts = new TreeMap<>();
    synchronized (log) {
      for (ILoggingEvent event : log.list.subList(from, log.list.size())) {
        Matcher m = ATTEMPT.matcher(event.getFormattedMessage());
        if (m.find()) {
          counts.merge(m.group(1), 1L, Long::sum);
        }
      }
    }
    return counts;
  }

  /** The first line since {@code from} that schedules an attempt and says {@code why}. */
  private String saidWhy(int from, String why) {
    synchronized (log) {
      return log.list.subList(from, log.list.size()).stream()
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains("reconnect attempt") && m.contains(why))
          .findFirst()
          .orElse(null);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void copy(Path from, Path to) {
    try {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
