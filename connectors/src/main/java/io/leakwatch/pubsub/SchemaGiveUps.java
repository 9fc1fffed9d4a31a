package io.leakwatch.pubsub;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GetSchema's transient failures in a row per schema id, and the ids given up on for now.
 *
 * <p>An event whose schema cannot be fetched ends its stream, which reopens and reads the same
 * events again. A failure that always recurs would hold that topic in this loop for good, so after
 * {@code maxFailuresInARow} failures in a row the id is given up on for {@code pause}: every event
 * that needs it is then dead-lettered with the reason, without asking GetSchema again. The decision
 * must hold for every such event until the pause is over (the rest of the batch that decided it,
 * the batches read after it, other topics that share the id): were it forgotten at once, the next
 * event's failure would count as the first again and end the stream, and the reopened stream would
 * read the same batch again, for ever.
 *
 * <p>Once the pause is over the next event asks again. An answer ends the give-up. A failure renews
 * it at once for another pause: the id has already failed {@code maxFailuresInARow} times in a row,
 * and holding the stream for that many more would only delay the topic's other events.
 *
 * <p>Each give-up is logged once, when decided or renewed, and its end once; the events themselves
 * go to the dead letters, each with the reason, not to the log.
 */
final class SchemaGiveUps {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaGiveUps.class);

  /** A schema id given up on until {@code until}; {@code reason} is said for each of its events. */
  record GiveUp(Instant until, String reason) {}

  private final int maxFailuresInARow;
  private final Duration pause;
  private final Clock clock;
  private final Map<String, Integer> failuresInARow = new HashMap<>();
  private final Map<String, GiveUp> givenUp = new HashMap<>();
  private long decisions;

  SchemaGiveUps(int maxFailuresInARow, Duration pause, Clock clock) {
    if (maxFailuresInARow < 1 || pause.isNegative() || pause.isZero()) {
      throw new IllegalArgumentException("needs at least one failure and a positive pause");
    }
    this.maxFailuresInARow = maxFailuresInARow;
    this.pause = pause;
    this.clock = clock;
  }

  /**
   * The give-up in force for {@code schemaId} now, or null: never given up on, or its pause is over
   * and GetSchema may be asked again.
   */
  synchronized GiveUp inForce(String schemaId) {
    GiveUp giveUp = givenUp.get(schemaId);
    return giveUp != null && clock.instant().isBefore(giveUp.until()) ? giveUp : null;
  }

  /**
   * GetSchema failed for {@code schemaId} without saying the schema does not exist.
   *
   * @param failure the failure, described safely for a log line
   * @return the give-up that now holds for the id (decided by this failure, or renewed by it once
   *     the pause is over, or decided by another event's call that failed meanwhile), or null while
   *     the id is still to be asked again
   */
  synchronized GiveUp failed(String schemaId, String failure) {
    GiveUp current = inForce(schemaId);
    if (current != null) {
      return current;
    }
    int inARow = failuresInARow.merge(schemaId, 1, Integer::sum);
    if (inARow < maxFailuresInARow) {
      return null;
    }
    boolean renewed = givenUp.containsKey(schemaId);
    Instant until = clock.instant().plus(pause).truncatedTo(ChronoUnit.SECONDS);
    GiveUp giveUp =
        new GiveUp(
            until,
            "GetSchema failed "
                + inARow
                + " times in a row, last: "
                + failure
                + "; the events that need this schema are dead-lettered without asking again"
                + " until "
                + until
                + ", then it is asked again");
    givenUp.put(schemaId, giveUp);
    decisions++;
    if (renewed) {
      LOG.warn(
          "schema {}: GetSchema still fails, {} times in a row (last: {}); its events are"
              + " dead-lettered until {}, then it is asked again",
          schemaId,
          inARow,
          failure,
          until);
    } else {
      LOG.warn(
          "schema {}: GetSchema failed {} times in a row (last: {}); given up on until {}: its"
              + " events are dead-lettered with the reason instead of holding their topic, then it"
              + " is asked again",
          schemaId,
          inARow,
          failure,
          until);
    }
    return giveUp;
  }

  /** GetSchema answered for {@code schemaId}: the count starts over, and a give-up ends. */
  synchronized void answered(String schemaId) {
    failuresInARow.remove(schemaId);
    if (givenUp.remove(schemaId) != null) {
      LOG.info("schema {}: GetSchema answers again; its events are decoded again", schemaId);
    }
  }

  /** How many give-ups were decided or renewed: each is one log line, however many events. */
  synchronized long decisions() {
    return decisions;
  }
}
