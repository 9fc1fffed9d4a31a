package io.leakwatch.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * When a schema id is given up on, for how long, and that each give-up is decided (and logged) once
 * however many events need the id.
 */
class SchemaGiveUpsTest {
  private static final String ID = "a01VpgrsZNJdn-7KStJcxQ";
  private static final Duration PAUSE = Duration.ofMinutes(5);

  private final MovableClock clock = new MovableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final SchemaGiveUps giveUps = new SchemaGiveUps(3, PAUSE, clock);

  @Test
  void theThirdFailureInARowGivesUpAndTheGiveUpHoldsForEveryLaterEventUntilThePauseIsOver() {
    assertNull(giveUps.failed(ID, "UNAVAILABLE"));
    assertNull(giveUps.failed(ID, "UNAVAILABLE"));
    assertNull(giveUps.inForce(ID));
    SchemaGiveUps.GiveUp giveUp = giveUps.failed(ID, "INTERNAL: down");
    assertNotNull(giveUp);
    assertEquals(Instant.parse("2026-03-10T12:05:00Z"), giveUp.until());
    assertTrue(
        giveUp.reason().contains("GetSchema failed 3 times in a row, last: INTERNAL: down"),
        giveUp.reason());
    assertTrue(giveUp.reason().contains("until 2026-03-10T12:05:00Z"), giveUp.reason());

    // The rest of the batch, later batches, other topics with the same id: all see the same one.
    for (int event = 0; event < 40; event++) {
      assertSame(giveUp, giveUps.inForce(ID));
    }
    clock.move(PAUSE.minusSeconds(1));
    assertSame(giveUp, giveUps.inForce(ID));
    assertNull(giveUps.inForce("another-id"), "only that id");
    assertEquals(1, giveUps.decisions(), "decided (and logged) once");
  }

  @Test
  void aCallInFlightWhenTheGiveUpWasDecidedFailsIntoTheSameGiveUpNotACountThatStartsOver() {
    giveUps.failed(ID, "UNAVAILABLE");
    giveUps.failed(ID, "UNAVAILABLE");
    SchemaGiveUps.GiveUp giveUp = giveUps.failed(ID, "UNAVAILABLE");
    assertSame(giveUp, giveUps.failed(ID, "DEADLINE_EXCEEDED"));
    assertSame(giveUp, giveUps.failed(ID, "DEADLINE_EXCEEDED"));
    assertEquals(1, giveUps.decisions());
  }

  @Test
  void onceThePauseIsOverOneFailureRenewsTheGiveUpAndAnAnswerEndsIt() {
    for (int i = 0; i < 3; i++) {
      giveUps.failed(ID, "UNAVAILABLE");
    }
    clock.move(PAUSE);
    assertNull(giveUps.inForce(ID), "asked again once the pause is over");
    SchemaGiveUps.GiveUp renewed = giveUps.failed(ID, "UNAVAILABLE");
    assertNotNull(renewed, "one failure renews it: not three more stream reopenings");
    assertEquals(Instant.parse("2026-03-10T12:10:00Z"), renewed.until());
    assertTrue(renewed.reason().contains("failed 4 times in a row"), renewed.reason());
    assertSame(renewed, giveUps.inForce(ID));
    assertEquals(2, giveUps.decisions());

    clock.move(PAUSE);
    assertNull(giveUps.inForce(ID));
    giveUps.answered(ID);
    assertNull(giveUps.inForce(ID));
    assertNull(giveUps.failed(ID, "UNAVAILABLE"), "an answer starts the count over");
    assertNull(giveUps.failed(ID, "UNAVAILABLE"));
    assertNotNull(giveUps.failed(ID, "UNAVAILABLE"));
    assertEquals(3, giveUps.decisions());
  }

  @Test
  void anAnswerBeforeTheLimitStartsTheCountOver() {
    giveUps.failed(ID, "UNAVAILABLE");
    giveUps.failed(ID, "UNAVAILABLE");
    giveUps.answered(ID);
    assertNull(giveUps.failed(ID, "UNAVAILABLE"));
    assertNull(giveUps.failed(ID, "UNAVAILABLE"));
    assertEquals(0, giveUps.decisions());
  }

  /** A clock that moves only when told. */
  static final class MovableClock extends Clock {
    private Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void move(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
