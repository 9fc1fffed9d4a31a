package io.leakwatch.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.pubsub.ReplayId;
import org.junit.jupiter.api.Test;

class ResumeTrackerTest {
  private static final long HOUR = 3_600_000L;
  private static final long NOW = 1_800_000_000_000L;
  private static final String TOPIC = "/event/PermissionSetEventStream";

  private static ReplayId id(int n) {
    return ReplayId.fromHex(String.format("%016x", n));
  }

  @Test
  void aRestartResumesAHorizonBehindTheNewestEvent() {
    ResumeTracker tracker = new ResumeTracker(TOPIC, HOUR, null);
    tracker.processed(id(1), NOW - 3 * HOUR);
    tracker.processed(id(2), NOW - 90 * 60_000L);
    tracker.processed(id(3), NOW);

    Checkpoint c = tracker.checkpoint();
    assertEquals(id(2), c.resumeAfter(), "the newest position a horizon old");
    assertEquals(id(3), c.lastProcessed());
    assertEquals(NOW, c.lastEventTime());
  }

  @Test
  void aTopicWithNoEventsGetsItsPositionFromAKeepalive() {
    ResumeTracker tracker = new ResumeTracker(TOPIC, HOUR, null);
    assertNull(tracker.checkpoint(), "no position before anything came");

    assertTrue(tracker.keepAlive(id(7), NOW));
    Checkpoint c = tracker.checkpoint();
    assertEquals(id(7), c.resumeAfter(), "a restart resumes after the keepalive, not at LATEST");
    assertEquals(0, c.lastEventTime(), "no event time: none was processed");

    assertFalse(tracker.keepAlive(id(7), NOW + 60_000), "the same position again changes nothing");
    assertTrue(tracker.keepAlive(id(9), NOW + 60_000));
    assertEquals(id(9), tracker.checkpoint().resumeAfter());
  }

  @Test
  void aQuietTopicsPositionMovesOnOnceTheOrgsEventTimeIsAHorizonPastItsLastEvent() {
    ResumeTracker tracker = new ResumeTracker(TOPIC, HOUR, null);
    tracker.processed(id(1), NOW);
    tracker.keepAlive(id(2), NOW + 30 * 60_000L);
    assertEquals(
        id(1),
        tracker.checkpoint().resumeAfter(),
        "the event may be in a window a restart rebuilds: it is read again");

    tracker.keepAlive(id(3), NOW + HOUR);
    assertEquals(id(3), tracker.checkpoint().resumeAfter(), "the event left every window");
    tracker.keepAlive(id(4), NOW + 2 * HOUR);
    Checkpoint c = tracker.checkpoint();
    assertEquals(id(4), c.resumeAfter(), "follows the keepalives, far inside 72 hours");
    assertEquals(NOW, c.lastEventTime(), "a keepalive is no event");
  }

  @Test
  void aReplayOfPastDaysKeepsItsEventsUntilTheOrgsEventTimeIsAHorizonPastThem() {
    ResumeTracker tracker = new ResumeTracker(TOPIC, HOUR, null);
    tracker.processed(id(1), NOW - 100 * HOUR);
    tracker.processed(id(2), NOW - 99 * HOUR);
    // Other topics still replay that day: this host's clock says nothing about what windows hold.
    tracker.keepAlive(id(3), NOW - 99 * HOUR + 10 * 60_000L);
    assertEquals(id(1), tracker.checkpoint().resumeAfter());

    tracker.keepAlive(id(4), NOW - 97 * HOUR);
    assertEquals(id(4), tracker.checkpoint().resumeAfter());
  }

  @Test
  void aMisdatedEventTimeFromTheCheckpointDoesNotFreezeThePosition() {
    long misdated = NOW + 240 * HOUR;
    ResumeTracker tracker =
        new ResumeTracker(TOPIC, HOUR, new Checkpoint(TOPIC, id(1), misdated, id(1), misdated));
    tracker.distrustEventTime();
    tracker.keepAlive(id(2), NOW);
    tracker.keepAlive(id(3), NOW + 2 * HOUR);
    assertEquals(id(3), tracker.checkpoint().resumeAfter());
  }

  @Test
  void aPositionTheServerRefusedIsNotOfferedAgain() {
    ResumeTracker tracker =
        new ResumeTracker(TOPIC, HOUR, new Checkpoint(TOPIC, id(1), NOW - HOUR, id(2), NOW));
    tracker.positionRejected();
    assertNull(tracker.checkpoint());

    tracker.processed(id(50), NOW + HOUR);
    assertEquals(id(50), tracker.checkpoint().resumeAfter());
  }
}
