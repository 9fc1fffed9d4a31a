package io.leakwatch.cep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventTimeBoundTest {
  private static final long CLOCK = 1_773_100_000_000L;
  private static final EventTimeBound HOUR = new EventTimeBound(3_600_000);

  @Test
  void aDateUpToTheBoundAheadIsTrustedOnePastItIsNot() {
    assertTrue(HOUR.trusts(CLOCK + 3_600_000, CLOCK));
    assertEquals(0, HOUR.excess(CLOCK + 3_600_000, CLOCK));
    assertFalse(HOUR.trusts(CLOCK + 3_600_001, CLOCK));
    assertEquals(3_600_001, HOUR.excess(CLOCK + 3_600_001, CLOCK));
  }

  @Test
  void aDateInThePastIsAlwaysTrusted() {
    assertTrue(HOUR.trusts(0, CLOCK));
    assertTrue(HOUR.trusts(Long.MIN_VALUE + 1, CLOCK));
  }

  @Test
  void noBoundTrustsEveryDate() {
    assertTrue(EventTimeBound.NONE.trusts(Long.MAX_VALUE, CLOCK));
    assertEquals("none", EventTimeBound.NONE.toString());
  }

  @Test
  void theRefusalSaysHowFarAheadAndTheBoundButNoValueOfTheEvent() {
    assertEquals(
        "EventDate is 720.0 h after this host's clock (more than the 60 min allowed): refused, so"
            + " that one misdated event cannot hold its stream back or move the rules' clock"
            + " ahead; check the host's clock if many events say so",
        HOUR.refusal(720 * 3_600_000L));
  }

  @Test
  void aNegativeBoundIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new EventTimeBound(-1));
  }
}
