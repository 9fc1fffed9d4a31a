package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesUpToTheCeilingWithJitterInTheUpperHalf() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      long first = backoff.delay(1).toMillis();
      assertTrue(first >= 500 && first <= 1_000, "first wait " + first);
      long fourth = backoff.delay(4).toMillis();
      assertTrue(fourth >= 4_000 && fourth <= 8_000, "fourth wait " + fourth);
      long late = backoff.delay(40).toMillis();
      assertTrue(late >= 150_000 && late <= 300_000, "capped wait " + late);
      seen.add(first);
    }
    assertTrue(seen.size() > 10, "jittered, not constant");
  }

  @Test
  void rejectsNonsense() {
    assertThrows(
        IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
