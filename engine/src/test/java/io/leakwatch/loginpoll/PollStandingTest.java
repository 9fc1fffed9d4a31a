package io.leakwatch.loginpoll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leakwatch.checkpoint.LoginCursor;
import io.leakwatch.checkpoint.SeenLogin;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a learned-state snapshot saves of the poll: its cursor with the entries it still needs. */
class PollStandingTest {
  @Test
  void aSnapshotPairsTheCursorWithEveryLoginTakenSinceWhatThePollReadsAgain() {
    RecentLogins recent = new RecentLogins();
    PollStanding standing = new PollStanding(recent, 1_000);
    recent.admit("0Ya000000000001AAA", 2_000, RecentLogins.STREAM);
    recent.admit("0Ya000000000002AAA", 2_000, RecentLogins.POLL);
    assertEquals(
        new LoginCursor(
            1_000,
            Map.of(
                "0Ya000000000001",
                new SeenLogin(2_000, SeenLogin.STREAM),
                "0Ya000000000002",
                new SeenLogin(2_000, SeenLogin.POLL))),
        standing.take(),
        "before the poll's first round: where it started, with everything taken");

    // The poll read on to 10 s: it reads the stream's logins from 5 s again, its own from 1 s.
    recent.admit("0Ya000000000003AAA", 9_000, RecentLogins.POLL);
    LoginCursor saved = standing.moved(10_000, 5_000, 1_000);
    LoginCursor snapshot = standing.take();
    assertEquals(saved, snapshot, "the file and a snapshot hold the same");
    assertEquals(10_000, snapshot.readUpTo());
    assertEquals(
        Map.of(
            "0Ya000000000002",
            new SeenLogin(2_000, SeenLogin.POLL),
            "0Ya000000000003",
            new SeenLogin(9_000, SeenLogin.POLL)),
        snapshot.seen(),
        "the stream's login before 5 s is forgotten; the poll-first one is kept for a late copy");

    // Taken after the move (a row processed while the cursor stood still): in the next snapshot.
    recent.admit("0Ya000000000004AAA", 9_500, RecentLogins.STREAM);
    assertEquals(3, standing.take().seen().size());
  }
}
