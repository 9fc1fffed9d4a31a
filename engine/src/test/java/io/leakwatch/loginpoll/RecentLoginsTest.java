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
        new RecentLogins(Map.of("0Ya5f00000AbCdEQAV", new RecentLogins.Seen(1_000L, "poll")));
    assertFalse(logins.admit("0Ya5f00000AbCdE", 1_000L, RecentLogins.STREAM));
  }
}
