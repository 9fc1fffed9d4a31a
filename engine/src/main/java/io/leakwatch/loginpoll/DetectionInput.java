package io.leakwatch.loginpoll;

import io.leakwatch.pubsub.ReceivedEvent;
import io.vertx.core.Future;
import java.util.List;

/**
 * Where the poll hands its logins: the engine's detection, which merges them with the streams in
 * event-time order. Implemented by the engine (the poll knows nothing of its event bus).
 */
public interface DetectionInput {
  /**
   * Hands {@code events} to detection; completes once they are processed and the alerts they raised
   * are delivered (only then may the cursor move).
   */
  Future<Void> process(List<ReceivedEvent> events);

  /**
   * The poll has read every login up to {@code eventTime}: the streams' events up to then need not
   * wait for it.
   */
  void readUpTo(long eventTime);

  /** The poll has nothing pending: the streams must not wait for it. */
  void idle();

  /**
   * The poll cannot see what it should (the running user lacks the permission): raises a gap alert,
   * as a stream whose position was lost does.
   *
   * @param since the LoginTime from which logins are not read
   * @param resumesFrom where reading will resume, in words
   */
  void gap(String reason, long since, String resumesFrom);
}
