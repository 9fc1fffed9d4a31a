package io.leakwatch.loginpoll;

import io.leakwatch.checkpoint.LoginCursor;

/**
 * Where the LoginHistory poll stands, as a learned-state snapshot must save it: the cursor it last
 * saved (every row before it was processed and its alerts delivered) and the logins detection has
 * taken from the oldest time the poll reads again from there. Detection takes it between two
 * events, with the tables, so the logins in the tables are exactly those before its cursor or in
 * its entries: a restart from that snapshot reads the others again from the cursor (once each), and
 * refuses a stream's copy of these. Thread-safe: the poll moves it, detection takes it.
 */
public final class PollStanding {
  private final RecentLogins recent;
  private long readUpTo;
  private long keepStreamFrom = Long.MIN_VALUE;
  private long keepPollFrom = Long.MIN_VALUE;

  /**
   * @param readUpTo where the poll starts
   */
  public PollStanding(RecentLogins recent, long readUpTo) {
    this.recent = recent;
    this.readUpTo = readUpTo;
  }

  RecentLogins recent() {
    return recent;
  }

  synchronized long readUpTo() {
    return readUpTo;
  }

  /**
   * The poll's cursor is now {@code readUpTo}: the stream's logins before {@code keepStreamFrom}
   * and the poll's before {@code keepPollFrom} are forgotten. Returns the cursor to save.
   */
  LoginCursor moved(long readUpTo, long keepStreamFrom, long keepPollFrom) {
    // One lock over both steps: a snapshot between them would pair the old cursor with entries
    // already pruned to the new one, and a restart from it would deliver those logins again.
    synchronized (this) {
      this.readUpTo = readUpTo;
      this.keepStreamFrom = keepStreamFrom;
      this.keepPollFrom = keepPollFrom;
      recent.pruneBefore(keepStreamFrom, keepPollFrom);
      return take();
    }
  }

  /** The cursor and the logins taken now. */
  public synchronized LoginCursor take() {
    return new LoginCursor(readUpTo, recent.since(keepStreamFrom, keepPollFrom));
  }
}
