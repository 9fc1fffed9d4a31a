package io.leakwatch.alert;

import io.leakwatch.decision.Alert;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink whose receiver may be down: {@link #accept} renders the alert, writes it to an on-disk
 * spool (forced to disk) and returns; one delivery thread drains the spool in order through a
 * {@link DeliveryTransport}. A failed attempt is retried with exponential backoff and jitter (or
 * after the receiver's Retry-After) until it succeeds, however long the receiver is away; a payload
 * the receiver refuses for good goes to {@code dead-letters.jsonl} in the spool folder with the
 * reason. A restart resumes the spool. Idempotent by delivery key: an alert the spool has ever
 * taken is not taken again.
 *
 * <p>Since {@link #accept} returns once the alert is spooled, the engine cannot see a receiver that
 * is away: {@link #stats()} tells how many wait and since when, what was refused for good, and
 * whether the delivery thread stopped (on an {@link Error} outside an attempt), for readiness and
 * metrics (see {@link SinkProblems}); it answers a copy published at each change, without the
 * sink's lock.
 *
 * <p>Logs name the sink, the delivery key and the reason; never the payload, the URL (a Slack
 * webhook URL is itself a secret) or any secret.
 */
public final class SpooledAlertSink implements AlertSink {
  private static final Logger LOG = LoggerFactory.getLogger(SpooledAlertSink.class);

  /** How often an idle or waiting delivery thread looks for a {@link ResendRequest}. */
  private static final long REQUEST_POLL_MILLIS = 500;

  private final String name;
  private final Function<Alert, String> renderer;
  private final DrillPolicy drills;
  private final boolean skipSuppressed;
  private final DeliveryTransport transport;
  private final Backoff backoff;
  private final DeliverySpool spool;
  private final SinkDeadLetters deadLetters;
  private final Object lock = new Object();
  private final Thread worker;
  private final Clock clock;
  private volatile boolean running = true;
  private boolean closing;
  private long delivered;
  private long dead;
  private long retries;
  private long skipped;
  private String lastFailure;
  private long refusedSince;
  private long refusedInRow;
  private String stoppedBy;
  private boolean resendFailing;
  // What stats() answers: a copy made under the lock each time a count changes, so /ready and
  // /metrics on the event loop never wait for the lock, which a rewrite of done.txt or of the
  // dead-letter file holds for as long as the disk takes.
  private volatile Stats published;
  // Told each key the delivery thread finished (delivered or dead-lettered), outside the lock.
  private volatile Consumer<String> whenFinished = key -> {};

  /**
   * @param name how logs and dead letters name this sink, e.g. {@code webhooks[0]}
   * @param renderer the payload of an alert
   * @param skipSuppressed whether alerts silenced by a suppression stay out of this sink (Slack: it
   *     pages people)
   */
  public SpooledAlertSink(
      String name,
      Path spoolDir,
      Function<Alert, String> renderer,
      DrillPolicy drills,
      boolean skipSuppressed,
      DeliveryTransport transport,
      Backoff backoff)
      throws IOException {
    this(name, spoolDir, renderer, drills, skipSuppressed, transport, backoff, Clock.systemUTC());
  }

  SpooledAlertSink(
      String name,
      Path spoolDir,
      Function<Alert, String> renderer,
      DrillPolicy drills,
      boolean skipSuppressed,
      DeliveryTransport transport,
      Backoff backoff,
      Clock clock)
      throws IOException {
    this(
        name,
        spoolDir,
        renderer,
        drills,
        skipSuppressed,
        transport,
        backoff,
        clock,
        SpoolLockWait.ENGINE);
  }

  SpooledAlertSink(
      String name,
      Path spoolDir,
      Function<Alert, String> renderer,
      DrillPolicy drills,
      boolean skipSuppressed,
      DeliveryTransport transport,
      Backoff backoff,
      Clock clock,
      SpoolLockWait lockWait)
      throws IOException {
    this.clock = clock;
    this.name = Objects.requireNonNull(name);
    this.renderer = renderer;
    this.drills = drills;
    this.skipSuppressed = skipSuppressed;
    this.transport = transport;
    this.backoff = backoff;
    this.spool = new DeliverySpool(spoolDir, clock, DeliverySpool.KEEP_FINISHED, lockWait);
    SinkDeadLetters letters = null;
    try {
      letters = new SinkDeadLetters(spoolDir.resolve("dead-letters.jsonl"), clock);
      this.deadLetters = letters;
      countDeadLetters();
      publish();
    } catch (IOException | RuntimeException e) {
      if (letters != null) {
        letters.close();
      }
      spool.close(); // and its lock, so the folder can be opened again
      throw e;
    }
    this.worker = new Thread(this::deliverLoop, "alert-sink-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * The dead letters in the file, and those refused since the last alert delivered (the last
   * entries finished that are dead letters), so neither metrics nor readiness forget them on a
   * restart.
   */
  private void countDeadLetters() throws IOException {
    List<SinkDeadLetters.Letter> letters = SinkDeadLetters.read(deadLetters.file()).letters();
    dead = letters.size();
    Set<String> keys = new HashSet<>();
    letters.forEach(letter -> keys.add(letter.deliveryKey()));
    refusedInRow = Math.min(spool.finishedLastAmong(keys), letters.size());
    if (refusedInRow > 0) {
      String firstAt = letters.get((int) (letters.size() - refusedInRow)).at();
      try {
        refusedSince = Instant.parse(firstAt).toEpochMilli();
      } catch (DateTimeParseException e) {
        refusedSince = clock.millis(); // a hand-edited time: counted from now
      }
    }
  }

  /** How this sink sends (for checking what a config built). */
  DeliveryTransport transport() {
    return transport;
  }

  public String name() {
    return name;
  }

  @Override
  public void accept(Alert alert) throws IOException {
    if (!drills.delivers(alert) || (skipSuppressed && alert.suppression() != null)) {
      synchronized (lock) {
        skipped++;
        publish();
      }
      return;
    }
    String payload = renderer.apply(alert);
    synchronized (lock) {
      if (!running) {
        throw new IOException("sink " + name + " is closed");
      }
      if (spool.contains(alert.deliveryKey())) {
        return;
      }
      spool.append(alert.deliveryKey(), payload);
      publish();
      lock.notifyAll();
    }
  }

  /**
   * The payload this sink would spool for {@code alert}, or null when it keeps the alert out
   * (drills, suppressed) or its spool already holds the key (pending or finished).
   */
  public String payloadToSpool(Alert alert) {
    if (!drills.delivers(alert) || (skipSuppressed && alert.suppression() != null)) {
      return null;
    }
    synchronized (lock) {
      if (spool.contains(alert.deliveryKey())) {
        return null;
      }
    }
    return renderer.apply(alert);
  }

  /** What {@link #adopt} did with a payload another node spooled. */
  public enum Adopted {
    /** Spooled here now. */
    SPOOLED,
    /** This spool holds it already, still to be sent. */
    ALREADY_PENDING,
    /** This spool sent or dead-lettered it already. */
    ALREADY_FINISHED
  }

  /**
   * Takes a payload another node's sink of the same name spooled and never finished (a takeover
   * after that node was lost), as {@link #accept} would have; idempotent by key.
   */
  public Adopted adopt(String deliveryKey, String payload) throws IOException {
    synchronized (lock) {
      if (!running) {
        throw new IOException("sink " + name + " is closed");
      }
      if (spool.contains(deliveryKey)) {
        return spool.pending(deliveryKey) ? Adopted.ALREADY_PENDING : Adopted.ALREADY_FINISHED;
      }
      spool.append(deliveryKey, payload);
      publish();
      lock.notifyAll();
      return Adopted.SPOOLED;
    }
  }

  /**
   * Calls {@code listener} on the delivery thread with the key of each entry delivered or
   * dead-lettered, after the spool recorded it and outside the sink's lock; what it throws is
   * logged and ignored.
   */
  public void whenFinished(Consumer<String> listener) {
    this.whenFinished = Objects.requireNonNull(listener);
  }

  /**
   * Runs {@link #deliverUntilClosed}; if it ends any other way than by {@link #close}, records why,
   * so readiness says this sink delivers nothing until a restart.
   */
  private void deliverLoop() {
    String stopped = "interrupted";
    try {
      deliverUntilClosed();
    } catch (Throwable t) {
      stopped = t.getClass().getSimpleName();
      LOG.error(
          "alert sink {}: the delivery thread stopped on {}; what is spooled waits until a restart",
          name,
          t.getClass().getName(),
          t);
    } finally {
      synchronized (lock) {
        if (!closing) {
          stoppedBy = stopped;
          publish();
        }
        lock.notifyAll();
      }
    }
  }

  private void deliverUntilClosed() {
    int failures = 0;
    while (true) {
      DeliverySpool.Entry next;
      String payload;
      synchronized (lock) {
        while (true) {
          takeResendRequest();
          if (!running || spool.peek() != null) {
            break;
          }
          waitQuietly(REQUEST_POLL_MILLIS);
        }
        if (!running) {
          return;
        }
        next = spool.peek();
        try {
          payload = spool.payload(next);
        } catch (IOException e) {
          // The spool file cannot be read now: the entry stays at the head and is tried again.
          LOG.error(
              "alert sink {}: cannot read alert {} from the spool in {}: {}",
              name,
              next.key(),
              spool.dir(),
              e.toString());
          waitQuietly(backoff.delay(1).toMillis());
          continue;
        }
      }
      DeliveryOutcome outcome;
      try {
        outcome = transport.send(next.key(), payload);
      } catch (RuntimeException | LinkageError | VirtualMachineError e) {
        // A bug or a resource limit in one attempt: try again later rather than stop delivering.
        outcome = DeliveryOutcome.retry("transport failed: " + e.getClass().getSimpleName());
      }
      String finished = null;
      synchronized (lock) {
        try {
          if (outcome instanceof DeliveryOutcome.Delivered) {
            spool.finishHead();
            finished = next.key();
            delivered++;
            failures = 0;
            lastFailure = null;
            refusedSince = 0;
            refusedInRow = 0;
            publish();
          } else if (outcome instanceof DeliveryOutcome.Dead d) {
            deadLetters.write(name, next.key(), d.reason(), payload);
            spool.finishHead();
            finished = next.key();
            dead++;
            failures = 0;
            if (refusedInRow++ == 0) {
              refusedSince = clock.millis();
            }
            publish();
            LOG.error(
                "alert sink {}: alert {} refused for good and dead-lettered to {}: {}",
                name,
                next.key(),
                deadLetters.file(),
                d.reason());
          } else if (outcome instanceof DeliveryOutcome.Retry r) {
            failures++;
            retries++;
            lastFailure = r.reason();
            publish();
            Duration wait = backoff.delay(failures);
            if (r.notBefore() != null && r.notBefore().compareTo(wait) > 0) {
              wait = r.notBefore();
            }
            if (failures == 1 || failures % 10 == 0) {
              LOG.warn(
                  "alert sink {}: alert {} not delivered ({}), attempt {}; {} waiting in the spool; retrying in {} ms",
                  name,
                  next.key(),
                  r.reason(),
                  failures,
                  spool.size(),
                  wait.toMillis());
            }
            long until = System.nanoTime() + wait.toNanos();
            while (running && until - System.nanoTime() > 0) {
              waitQuietly(
                  Math.max(
                      1, Math.min(REQUEST_POLL_MILLIS, (until - System.nanoTime()) / 1_000_000)));
              takeResendRequest(); // put back behind the entry that waits
            }
          }
        } catch (IOException e) {
          // The spool could not record the outcome: the entry stays at the head and is sent again.
          LOG.error(
              "alert sink {}: cannot update the spool in {}: {}", name, spool.dir(), e.toString());
          publish(); // the queue may have changed before the failure
          waitQuietly(backoff.delay(1).toMillis());
        }
        lock.notifyAll();
      }
      if (finished != null) {
        tellFinished(finished);
      }
    }
  }

  private void tellFinished(String key) {
    try {
      whenFinished.accept(key);
    } catch (RuntimeException e) {
      LOG.error(
          "alert sink {}: alert {} finished, but telling so failed: {}", name, key, e.toString());
    }
  }

  /**
   * Carries out a {@link ResendRequest} left by {@code leakwatch alerts resend-dead-letters}: the
   * dead letters go back to the end of the queue. Called holding {@link #lock}.
   */
  private void takeResendRequest() {
    if (!ResendRequest.asked(spool.dir())) {
      return;
    }
    try {
      SinkDeadLetters.PutBack put = deadLetters.putBackInto(spool);
      publish();
      ResendRequest.done(spool.dir());
      resendFailing = false;
      LOG.info(
          "alert sink {}: put {} dead letter(s) back into the spool to be sent again ({} put back"
              + " before, {} unreadable line(s) left in {})",
          name,
          put.requeued(),
          put.alreadyRequeued(),
          put.unreadableKept(),
          deadLetters.file());
      lock.notifyAll();
    } catch (IOException e) {
      if (!resendFailing) {
        LOG.error(
            "alert sink {}: cannot put the dead letters back into the spool in {}: {}; trying"
                + " again",
            name,
            spool.dir(),
            e.toString());
      }
      resendFailing = true;
      // Entries may already be back in the queue though the dead-letter file was not rewritten:
      // /metrics and /ready count them now, not when the next retry wait ends.
      publish();
    }
  }

  private void waitQuietly(long millis) {
    try {
      lock.wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Payloads accepted and not yet delivered or dead-lettered. */
  public int pending() {
    return published.pending();
  }

  /** Waits until the spool is empty; false if {@code timeout} passed first. */
  public boolean awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (spool.size() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  @Override
  public Stats spoolStats() {
    return stats();
  }

  /** The counts as of the last change; never waits for the sink's lock. */
  public Stats stats() {
    return published;
  }

  /**
   * Makes the counts as they are now what {@link #stats()} answers. Called holding the lock, or
   * before the delivery thread starts.
   */
  private void publish() {
    published =
        new Stats(
            name,
            delivered,
            dead,
            retries,
            skipped,
            spool.size(),
            spool.oldestAcceptedAt(),
            refusedInRow,
            refusedSince,
            stoppedBy,
            lastFailure);
  }

  /**
   * Counts since start, but for {@code deadLettered} and {@code refusedInRow}, which start from the
   * spool's files.
   *
   * @param oldestPendingSince when the oldest alert still pending was spooled (epoch millis; kept
   *     across restarts), 0 when none is pending
   * @param refusedInRow alerts refused for good (dead-lettered) since the last one delivered
   * @param refusedSince when the first of those was refused (epoch millis), 0 when none
   * @param stoppedBy why the delivery thread stopped (the simple name of what it threw), null while
   *     it runs, or when it stopped because the sink was closed
   * @param lastFailure the reason of the current run of failed attempts, or null; for logs and
   *     tests only: it may quote the receiver's answer
   */
  public record Stats(
      String name,
      long delivered,
      long deadLettered,
      long retries,
      long skipped,
      int pending,
      long oldestPendingSince,
      long refusedInRow,
      long refusedSince,
      String stoppedBy,
      String lastFailure) {}

  public Path deadLetterFile() {
    return deadLetters.file();
  }

  /** Stops the delivery thread; what is still spooled is delivered after the next start. */
  @Override
  public void close() throws IOException {
    synchronized (lock) {
      closing = true;
      running = false;
      lock.notifyAll();
    }
    try {
      worker.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      transport.close();
    } finally {
      synchronized (lock) {
        spool.close();
        deadLetters.close();
      }
    }
  }
}
