package io.leakwatch.loginpoll;

import com.fasterxml.jackson.databind.JsonNode;
import io.leakwatch.alert.Backoff;
import io.leakwatch.cep.EventTimeBound;
import io.leakwatch.cep.TopicTypes;
import io.leakwatch.checkpoint.LoginCursor;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.rest.QueryException;
import io.leakwatch.rest.QueryPage;
import io.leakwatch.rest.SoqlClient;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the org's logins from LoginHistory by SOQL every interval, for the logins LoginEventStream
 * never carries (integration and internal users). Each round queries from the cursor minus the
 * settle time (rows can be written late), page by page through {@code nextRecordsUrl}; rows already
 * taken (from this poll or from the stream) are left out, the rest go to detection as LoginEvents
 * under the source {@link TopicTypes#LOGIN_HISTORY}. The cursor moves on only once a page is
 * processed and its alerts are delivered. A failing round (5xx, timeout, refused token) is retried
 * with backoff, said at the 1st, 2nd, 4th, 8th… failure, and the source reports itself down.
 *
 * <p>The HTTP calls and the cursor's fsync run on worker threads, never on the event loop. After
 * each page it tells detection the LoginTime it has read up to, so the streams' events are merged
 * with its rows in event-time order; a poll that makes no progress (a quiet org, a failing API)
 * holds the streams back no longer than any stalled stream does ({@code stallWaitSeconds}), after
 * which its rows are processed as late events.
 *
 * <p>Before its first query, and again every {@code accessCheck}, it asks whether the running user
 * may read every user's LoginHistory ({@link LoginHistoryAccess}): without "Manage Users" or
 * "Monitor Login History" the query still answers, with only that user's own logins. Then it reads
 * nothing, says why (log, an {@code LW-GAP} alert, the source down) and checks again with backoff;
 * once the permission is back it reads on from the cursor the last successful check vouched for, so
 * the logins of the blind span are read then. The saved cursor never passes that point either: a
 * restart after the permission was taken away unnoticed reads that span again.
 *
 * <p>Its cursor and de-duplication entries are saved after every round (the cursor file) and, as
 * they stood at the instant, with every learned-state snapshot ({@link PollStanding}). A restart
 * from learned state resumes from the latter: the logins delivered since the snapshot, which the
 * restored tables lack, are read again, and those before it are not.
 */
public final class LoginHistoryPoll extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(LoginHistoryPoll.class);
  private static final long DRAIN_MILLIS = 10_000;

  private final SoqlClient client;
  private final DetectionInput detection;
  private final LoginHistorySettings settings;
  private final RecentLogins recent;
  private final PollStanding standing;
  private final Path cursorFile;
  private final Backoff backoff;

  private long readUpTo;

  /** The cursor as of the last check that found the permission: every row before it was seen. */
  private long verifiedUpTo;

  private long lastAccessCheckNanos;
  private boolean accessChecked;

  /** Why the poll reads nothing (the permission is missing), or null. */
  private volatile String blind;

  private int failures;
  private long timer = -1;
  private boolean inRound;
  private boolean stopping;
  private Promise<Void> drained;

  private volatile boolean live = true;
  private volatile long delivered;
  private volatile long deadLettered;
  private volatile long failedRounds;
  private volatile long rounds;
  private volatile long lastEventTime;
  private EventTimeBound bound = EventTimeBound.NONE;
  private long streamReplayMillis;

  /**
   * @param standing the logins detection has taken (shared with it) and where to start: the saved
   *     cursor's LoginTime, or now minus the lookback; learned-state snapshots read it
   * @param cursorFile where to save the cursor, or null when the engine keeps no state
   */
  public LoginHistoryPoll(
      SoqlClient client,
      DetectionInput detection,
      LoginHistorySettings settings,
      PollStanding standing,
      Path cursorFile) {
    this.client = client;
    this.detection = detection;
    this.settings = settings;
    this.standing = standing;
    this.recent = standing.recent();
    this.readUpTo = standing.readUpTo();
    this.verifiedUpTo = readUpTo;
    this.cursorFile = cursorFile;
    Duration initial =
        settings.interval().compareTo(Duration.ofSeconds(1)) < 0
            ? settings.interval().isZero() ? Duration.ofMillis(50) : settings.interval()
            : Duration.ofSeconds(1);
    this.backoff = new Backoff(initial, max(Duration.ofMinutes(5), settings.interval()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * The SOQL of one round: every login from {@code from} (epoch millis, rounded down to a second).
   */
  static String query(long from) {
    return "SELECT "
        + String.join(", ", LoginHistoryRow.FIELDS)
        + " FROM LoginHistory WHERE LoginTime >= "
        + Instant.ofEpochMilli(from).truncatedTo(ChronoUnit.SECONDS)
        + " ORDER BY LoginTime, Id";
  }

  /**
   * Rows dated past {@code bound} of Salesforce's clock (the answer's {@code Date}) are handed to
   * detection, which refuses them, but never move the cursor: one such row would otherwise make
   * every later query start after the logins still to come. Call before deploying.
   */
  public LoginHistoryPoll boundEventTime(EventTimeBound bound) {
    this.bound = bound;
    return this;
  }

  /**
   * How far back of the cursor the streams may deliver a login again (a restart replays them from
   * up to two resume horizons back): the logins this poll delivered first are kept that long, so
   * the stream's copy is still refused then. Call before deploying.
   */
  public LoginHistoryPoll keepForStreamReplay(long millis) {
    this.streamReplayMillis = Math.max(0, millis);
    return this;
  }

  @Override
  public void start() {
    schedule(0);
  }

  private void schedule(long delayMillis) {
    if (stopping) {
      return;
    }
    timer = vertx.setTimer(Math.max(1, delayMillis), id -> round());
  }

  private void round() {
    timer = -1;
    if (stopping) {
      return;
    }
    inRound = true;
    if (accessCheckDue()) {
      vertx
          .executeBlocking(() -> LoginHistoryAccess.check(client), false)
          .onComplete(this::onAccess);
    } else {
      queryFromCursor();
    }
  }

  private boolean accessCheckDue() {
    return !accessChecked
        || blind != null
        || System.nanoTime() - lastAccessCheckNanos >= settings.accessCheck().toNanos();
  }

  private void onAccess(AsyncResult<LoginHistoryAccess.Verdict> result) {
    if (result.failed()) {
      roundFailed(result.cause());
      return;
    }
    LoginHistoryAccess.Verdict verdict = result.result();
    if (!verdict.granted()) {
      blind(verdict.why());
      return;
    }
    if (blind != null) {
      LOG.info(
          "LoginHistory poll: the running user may read every user's LoginHistory again; reading"
              + " on from {}",
          Instant.ofEpochMilli(readUpTo));
      blind = null;
    }
    accessChecked = true;
    lastAccessCheckNanos = System.nanoTime();
    // Both this check and the one before found the permission: what was read between is whole.
    verifiedUpTo = readUpTo;
    queryFromCursor();
  }

  /**
   * The running user lacks the permission: nothing is read until it is back. Rows read since the
   * last check that found it may lack other users' logins (it can have gone any time since), so the
   * cursor goes back there; the rows of that span already taken are still known, and not resent.
   */
  private void blind(String why) {
    boolean first = blind == null;
    blind = why; // before live: whoever sees the source down can read why
    roundReadNothing();
    if (first) {
      readUpTo = Math.min(readUpTo, verifiedUpTo);
      LOG.error(
          "LoginHistory poll reads nothing: {}. Grant \"Manage Users\" or \"Monitor Login"
              + " History\" to the user the org's OAuth grant runs as; the poll checks again with"
              + " backoff and then reads on from {}",
          why,
          Instant.ofEpochMilli(readUpTo));
      detection.gap(why, readUpTo, "the LoginHistory cursor at " + Instant.ofEpochMilli(readUpTo));
    } else if (Integer.bitCount(failures) == 1) {
      LOG.error("LoginHistory poll still reads nothing: {} (check {} in a row)", why, failures);
    }
    if (!finishStop()) {
      schedule(backoff.delay(failures).toMillis());
    }
  }

  private void queryFromCursor() {
    String soql = query(readUpTo - settings.settle().toMillis());
    vertx.executeBlocking(() -> client.query(soql), false).onComplete(this::onPage);
  }

  private void onPage(AsyncResult<QueryPage> result) {
    if (result.failed()) {
      roundFailed(result.cause());
      return;
    }
    QueryPage page = result.result();
    List<ReceivedEvent> fresh = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    Map<String, Long> misdated = new HashMap<>();
    long serverClock = page.serverTime() > 0 ? page.serverTime() : System.currentTimeMillis();
    long newest = readUpTo;
    for (JsonNode row : page.records()) {
      String key = LoginHistoryRow.key(row);
      if (recent.contains(key)) {
        // Read again inside the settle window, or the stream delivered it: taken, so the cursor
        // moves over it (an org whose logins all came by the stream must not read ever further
        // back).
        // A misdated row taken (refused) before is read again on every round: its time must not
        // carry the cursor past the logins still to come.
        Long time = LoginHistoryRow.loginTime(row);
        if (time != null && bound.trusts(time, serverClock)) {
          newest = Math.max(newest, time);
        }
        continue;
      }
      ReceivedEvent event = LoginHistoryRow.toEvent(row, System.nanoTime());
      fresh.add(event);
      if (!event.decoded()) {
        bad.add(key);
      } else if (!bound.trusts((Long) event.record().get("EventDate"), serverClock)) {
        // Dated past the server's clock: detection refuses it. It must not carry the cursor (and
        // every later query) past the logins still to come; it is taken, at its own time (kept
        // until the cursor passes it), so it is refused once.
        misdated.put(key, (Long) event.record().get("EventDate"));
      } else {
        newest = Math.max(newest, (Long) event.record().get("EventDate"));
      }
    }
    long pageNewest = newest;
    deliver(fresh)
        .compose(
            v -> {
              // Dead-lettered rows count as taken: read again, they would be dead-lettered twice.
              bad.forEach(key -> recent.admitted(key, pageNewest));
              misdated.forEach(recent::admitted);
              delivered += fresh.size();
              deadLettered += bad.size();
              readUpTo = pageNewest;
              lastEventTime = Math.max(lastEventTime, fresh.isEmpty() ? 0 : pageNewest);
              if (settings.holdStreams()) {
                // Everything up to the server's clock (less the settle time) is read once the
                // last page is: the streams' events up to then may go on. Before it, only up to
                // just before this page's newest row (the later pages hold rows from then on).
                detection.readUpTo(
                    page.done()
                        ? Math.max(readUpTo, page.serverTime() - settings.settle().toMillis() - 1)
                        : readUpTo - 1);
              } else {
                // The streams never wait for the poll: its rows are processed as late events.
                detection.idle();
              }
              return saveCursor();
            })
        .onComplete(
            saved -> {
              if (saved.failed()) {
                roundFailed(saved.cause());
              } else if (stopping || page.done()) {
                roundDone();
              } else {
                vertx.executeBlocking(() -> client.next(page), false).onComplete(this::onPage);
              }
            });
  }

  /** Hands the rows to detection; completes once they are processed and their alerts delivered. */
  private Future<Void> deliver(List<ReceivedEvent> events) {
    return events.isEmpty() ? Future.succeededFuture() : detection.process(events);
  }

  private Future<Void> saveCursor() {
    // Kept and saved only up to what the last permission check vouched for: a restart, or the
    // permission found missing, reads from there again, and these entries keep that single.
    long saveUpTo = Math.min(readUpTo, verifiedUpTo);
    long keepFrom =
        Instant.ofEpochMilli(saveUpTo - settings.settle().toMillis())
                .truncatedTo(ChronoUnit.SECONDS)
                .toEpochMilli()
            - 1_000;
    return vertx.executeBlocking(
        () -> {
          LoginCursor cursor = standing.moved(saveUpTo, keepFrom, keepFrom - streamReplayMillis);
          if (cursorFile != null) {
            cursor.save(cursorFile);
          }
          return null;
        },
        false);
  }

  private void roundDone() {
    inRound = false;
    rounds++;
    if (failures > 0) {
      LOG.info("LoginHistory poll is back after {} failed round(s)", failures);
    }
    failures = 0;
    live = true;
    if (!finishStop()) {
      schedule(settings.interval().toMillis());
    }
  }

  /** A round that read nothing: the source is down until a round reads again. */
  private void roundReadNothing() {
    inRound = false;
    failures++;
    failedRounds++;
    live = false;
    if (!settings.holdStreams()) {
      detection.idle();
    }
  }

  private void roundFailed(Throwable cause) {
    roundReadNothing();
    long delay = backoff.delay(failures).toMillis();
    String why =
        cause instanceof QueryException || cause instanceof io.leakwatch.auth.AuthException
            ? cause.getMessage()
            : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    if (Integer.bitCount(failures) == 1) {
      // Said at the 1st, 2nd, 4th, 8th… failure in a row: an outage of hours is not a log flood.
      LOG.warn(
          "LoginHistory poll failed ({}); failure {} in a row, next try in {} ms (cursor stays at {})",
          why,
          failures,
          delay,
          Instant.ofEpochMilli(readUpTo));
    } else {
      LOG.debug("LoginHistory poll failed ({}); failure {} in a row", why, failures);
    }
    if (!finishStop()) {
      schedule(delay);
    }
  }

  private boolean finishStop() {
    if (stopping && drained != null) {
      drained.tryComplete();
      return true;
    }
    return stopping;
  }

  /** Whether the last round succeeded (true until the first round fails). */
  public boolean live() {
    return live;
  }

  /**
   * Why the poll reads nothing: the running user lacks the permission to read every user's
   * LoginHistory (naming it); null otherwise.
   */
  public String blind() {
    return blind;
  }

  /** Rows handed to detection (dead-lettered ones included), as a subscription counts events. */
  public long delivered() {
    return delivered;
  }

  /** Rows that could not be read as logins, dead-lettered with the reason. */
  public long deadLettered() {
    return deadLettered;
  }

  /** Rounds that failed since start. */
  public long failedRounds() {
    return failedRounds;
  }

  /** Rounds completed since start. */
  public long rounds() {
    return rounds;
  }

  /** LoginTime (epoch millis) of the newest login delivered, 0 before the first. */
  public long lastEventTime() {
    return lastEventTime;
  }

  /** Stops polling; waits (at most 10 s) for a round in progress to be processed and saved. */
  @Override
  public void stop(Promise<Void> stopped) {
    stopping = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (!inRound) {
      stopped.complete();
      return;
    }
    drained = stopped;
    vertx.setTimer(
        DRAIN_MILLIS,
        id -> {
          if (drained.tryComplete()) {
            LOG.info("LoginHistory poll: a round was not finished at shutdown; it is read again");
          }
        });
  }
}
