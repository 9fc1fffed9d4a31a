package io.leakwatch.alert;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Puts a spooled sink's dead letters back into its queue, to be sent again: after a receiver
 * refused alerts for a reason since fixed (a rotated collector token answering 401). With no engine
 * holding the spool, it does so itself and the next start delivers them; beside a running engine it
 * leaves a {@link ResendRequest} for that engine's sink, which only it may carry out, and waits for
 * it to be taken. Each dead letter is taken back once, however often this runs.
 */
public final class DeadLetterResend {
  public enum How {
    /** The file holds no dead letter. */
    NOTHING_TO_SEND,
    /** No engine held the spool: put back here, for the next start to deliver. */
    PUT_BACK,
    /** The running engine took the request and put them back. */
    TAKEN_BY_ENGINE,
    /** The running engine has not taken the request within the wait; it stays for it. */
    ASKED
  }

  /**
   * @param deadLetters dead letters in the file when this ran
   * @param requeued of them put back (only known when put back here)
   * @param alreadyRequeued of them put back before (only known when put back here)
   * @param unreadable lines of the file that are no dead letter, left in it
   */
  public record Result(
      How how, int deadLetters, int requeued, int alreadyRequeued, int unreadable) {}

  private DeadLetterResend() {}

  /** The dead-letter file of a spool folder. */
  public static Path file(Path spoolDir) {
    return spoolDir.resolve("dead-letters.jsonl");
  }

  public static Result run(Path spoolDir, Duration wait) throws IOException, InterruptedException {
    SinkDeadLetters.Contents contents = SinkDeadLetters.read(file(spoolDir));
    int found = contents.letters().size();
    if (found == 0) {
      return new Result(How.NOTHING_TO_SEND, 0, 0, 0, contents.unreadable().size());
    }
    DeliverySpool spool;
    try {
      spool = new DeliverySpool(spoolDir);
    } catch (SpoolLock.HeldElsewhere running) {
      ResendRequest.ask(spoolDir);
      long deadline = System.nanoTime() + wait.toNanos();
      while (ResendRequest.asked(spoolDir) && deadline - System.nanoTime() > 0) {
        Thread.sleep(100);
      }
      return new Result(
          ResendRequest.asked(spoolDir) ? How.ASKED : How.TAKEN_BY_ENGINE,
          found,
          0,
          0,
          contents.unreadable().size());
    }
    try (spool;
        SinkDeadLetters letters = new SinkDeadLetters(file(spoolDir), Clock.systemUTC())) {
      SinkDeadLetters.PutBack put = letters.putBackInto(spool);
      ResendRequest.done(spoolDir); // an earlier request is carried out too
      return new Result(
          How.PUT_BACK, found, put.requeued(), put.alreadyRequeued(), put.unreadableKept());
    }
  }
}
