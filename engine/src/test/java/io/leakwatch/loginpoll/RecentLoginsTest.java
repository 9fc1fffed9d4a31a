package io.leakwatch.loginpoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RecentLoginsTest {
  @Test
  void oneLoginUnderItsFifteenAndEighteenCharacterIdsIsTakenOnce() {
    RecentLogins logins = new RecentLogins();
    assertTrue(logins.admit("0Ya5f00000AbCdE", 1_000L, RecentLogins.STREAM));
    assertFalse(logins.admit("0Ya5f00000AbCdEQAV", 1_000L, RecentLogins.POLL), "the same login");
    assertEquals(1, logins.duplicates());
    assertTrue(logins.contains("0Ya5f00000AbCdEQAV"));
    assertTrue(logins.admit("0Ya5f00000AbCdF", 1_000L, RecentLogins.POLL), "another login");
  }

  @Test
  void aLoginThePollDeliveredFirstIsKeptAsLongAsTheStreamMayReplayIt() {
    RecentLogins logins = new RecentLogins();
    assertTrue(logins.admit("0Ya5f00000AbCd1", 1_000L, RecentLogins.POLL));
    assertTrue(logins.admit("0Ya5f00000AbCd2", 1_000L, RecentLogins.STREAM));
    logins.pruneBefore(5_000L, 500L);
    assertEquals(1, logins.since(5_000L, 500L).size());
    assertFalse(logins.contains("0Ya5f00000AbCd2"), "the poll never reads that far back again");
    assertFalse(
        logins.admit("0Ya5f00000AbCd1", 1_000L, RecentLogins.STREAM),
        "the stream replaying the login after a restart");
    assertEquals(1, logins.duplicates());
  }

  @Test
  void entriesSavedByAnEarlierRunInEitherFormStillMatch() {
    RecentLogins logins =
        new RecentLogins(
            Map.of("0Ya5f00000AbCdEQAV", new io.leakwatch.checkpoint.SeenLogin(1_000L, "poll")));
    assertFalse(logins.admit("0Ya5f00000AbCdE", 1_000L, RecentLogins.STREAM));
  }

  @Test
  void whicheverSourceDeliversALoginSecondIsRefusedAndCounted() {
    RecentLogins recent = new RecentLogins();
    assertTrue(recent.admit("0Ya000000000001AAA", 1_000, RecentLogins.STREAM));
    assertFalse(recent.admit("0Ya000000000001AAA", 1_000, RecentLogins.POLL));
    assertTrue(recent.admit("0Ya000000000002AAA", 2_000, RecentLogins.POLL));
    assertFalse(recent.admit("0Ya000000000002AAA", 2_000, RecentLogins.STREAM));
    assertEquals(2, recent.duplicates());
    assertTrue(
        recent.admit("0Ya000000000001AAA", 1_000, RecentLogins.STREAM),
        "a stream replaying its own event after a restart is its at-least-once delivery");
    recent.pruneBefore(1_500);
    assertFalse(recent.contains("0Ya000000000001AAA"));
    assertTrue(recent.contains("0Ya000000000002AAA"));
    assertEquals(1, recent.since(0).size());
  }
}
