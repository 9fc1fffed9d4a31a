package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.cep.EventTimeBound;
import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

class EventTimeMergerTest {
  private static final Schema SCHEMA =
      SchemaBuilder.record("E").fields().requiredLong("EventDate").endRecord();

  private static ReceivedEvent event(String topic, long time) {
    GenericData.Record record = new GenericData.Record(SCHEMA);
    record.put("EventDate", time);
    return new ReceivedEvent(topic, ReplayId.fromHex("00"), topic + time, "s", record, null, 0);
  }

  private static List<Long> times(List<EventTimeMerger.Pending> pending) {
    return pending.stream().map(EventTimeMerger.Pending::time).toList();
  }

  /**
   * The merger as the detection verticle drives it: besides each call, a look (release) every 100
   * ms of wall time. What those looks release is kept for the next {@link #release}.
   */
  private static final class Driven {
    final EventTimeMerger merger;
    private long wall;
    private final List<EventTimeMerger.Pending> released = new ArrayList<>();

    Driven(List<String> topics, long maxWaitMillis) {
      merger = new EventTimeMerger(topics, maxWaitMillis, 0);
    }

    /** The looks between the last call and {@code to}. */
    private void passTo(long to) {
      while (wall + 100 < to) {
        wall += 100;
        released.addAll(merger.release(wall));
      }
      wall = Math.max(wall, to);
    }

    void offer(String topic, List<ReceivedEvent> events, Runnable onComplete, long at) {
      passTo(at);
      merger.offer(topic, events, onComplete, at);
    }

    /** A batch after which the server was still owed events (its credit was not used up). */
    void offerOwed(String topic, List<ReceivedEvent> events, long at) {
      passTo(at);
      merger.offer(topic, events, true, () -> {}, at);
    }

    /** The topic's stream asks for events again after its backlog had used up its credit. */
    void owed(String topic, long at) {
      passTo(at);
      merger.owed(topic, at);
    }

    void idle(String topic, long at) {
      passTo(at);
      merger.idle(topic, at);
    }

    void down(String topic, long at) {
      passTo(at);
      merger.down(topic, at);
    }

    /** What was released since the last call to this, up to and at {@code at}. */
    List<EventTimeMerger.Pending> release(long at) {
      passTo(at);
      released.addAll(merger.release(at));
      List<EventTimeMerger.Pending> out = new ArrayList<>(released);
      released.clear();
      return out;
    }

    boolean isEmpty() {
      return merger.isEmpty();
    }
  }

  @Test
  void aTopicThatRacesAheadWaitsForTheSlowOne() {
    Driven merger = new Driven(List.of("fast", "slow"), 2_000);
    List<String> completed = new ArrayList<>();
    merger.offer(
        "fast",
        List.of(event("fast", 10), event("fast", 20), event("fast", 30)),
        () -> completed.add("fast"),
        0);
    assertEquals(List.of(), times(merger.release(0)), "slow has said nothing yet");
    merger.offer("slow", List.of(event("slow", 15)), () -> completed.add("slow"), 0);
    assertEquals(
        List.of(10L, 15L),
        times(merger.release(0)),
        "20 and 30 wait: slow may still send something earlier");
    merger.idle("slow", 0);
    assertEquals(
        List.of(), times(merger.release(100)), "an idle topic still gets a short grace period");
    List<EventTimeMerger.Pending> rest = merger.release(250);
    assertEquals(List.of(20L, 30L), times(rest));
    rest.forEach(p -> p.batch().done());
    assertTrue(merger.isEmpty());
  }

  private static final long YEAR_2100 = 4_102_444_800_000L;

  /** a: 10, a misdated event, 30; b: 20, then 40 while a says nothing more. */
  private static List<EventTimeMerger.Pending> misdatedOnA(Driven merger) {
    merger.offer(
        "a", List.of(event("a", 10), event("a", YEAR_2100), event("a", 30)), () -> {}, 1_000);
    merger.offer("b", List.of(event("b", 20)), () -> {}, 1_000);
    merger.offer("b", List.of(event("b", 40)), () -> {}, 1_500);
    return merger.release(1_500);
  }

  @Test
  void anEventDatedFarPastTheHostsClockSortsWithItsPredecessorAndLeavesMarked() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    merger.merger.boundAhead(new EventTimeBound(3_600_000));
    List<EventTimeMerger.Pending> released = misdatedOnA(merger);
    assertEquals(
        List.of(10L, 10L, 20L, 30L),
        times(released),
        "a's 30 goes once b is past it: the misdated event does not hold a's queue");
    EventTimeMerger.Pending misdated = released.get(1);
    assertEquals(YEAR_2100, misdated.event().record().get("EventDate"));
    assertTrue(misdated.aheadOfClock());
    assertEquals(YEAR_2100 - 1_000, misdated.aheadMillis(), "measured against the wall on arrival");
    assertEquals(
        List.of(false, false, false),
        Stream.of(0, 2, 3).map(i -> released.get(i).aheadOfClock()).toList());
  }

  @Test
  void anEventWithoutATimeOfItsOwnIsNotTakenForAMisdatedOne() {
    Driven merger = new Driven(List.of("a"), 2_000);
    merger.merger.boundAhead(new EventTimeBound(3_600_000));
    ReceivedEvent undecoded =
        new ReceivedEvent("a", ReplayId.fromHex("00"), "x", "s", null, "unknown schema id", 0);
    merger.offer("a", List.of(undecoded, event("a", 10)), () -> {}, 1_000);
    List<EventTimeMerger.Pending> released = merger.release(1_000);
    assertEquals(2, released.size());
    assertEquals(
        List.of(false, false),
        released.stream().map(EventTimeMerger.Pending::aheadOfClock).toList(),
        "refused, if at all, for what it lacks, not as dated ahead (its fallback time is the"
            + " smallest there is)");
  }

  @Test
  void withoutTheBoundAMisdatedEventHoldsItsTopicsQueueWhileOthersDeliver() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    assertEquals(
        List.of(10L, 20L, 40L),
        times(misdatedOnA(merger)),
        "a's 30 is queued behind the year-2100 event, which waits for b to pass it");
    merger.offer("b", List.of(event("b", 50)), () -> {}, 3_000);
    assertEquals(
        List.of(50L), times(merger.release(3_000)), "and stays there while b keeps delivering");
  }

  @Test
  void aSilentTopicHoldsOthersBackOnlyUntilTheWaitRunsOut() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    merger.offer("a", List.of(event("a", 1)), () -> {}, 1_000);
    merger.offer("b", List.of(event("b", 5)), () -> {}, 1_000);
    assertEquals(
        List.of(1L), times(merger.release(1_000)), "5 waits: a may still send something earlier");
    merger.offer("a", List.of(event("a", 10)), () -> {}, 2_500);
    assertEquals(List.of(5L), times(merger.release(2_600)), "a's 10 lets b's 5 go");
    assertEquals(
        List.of(),
        times(merger.release(4_500)),
        "b's 5 waited here until 2.6 s, holding b's credit: b is silent only since then");
    assertEquals(List.of(10L), times(merger.release(4_600)), "b silent for 2 s");
    merger.offer("a", List.of(event("a", 11)), () -> {}, 4_600);
    assertEquals(
        List.of(11L), times(merger.release(4_850)), "b now counts as idle until it delivers");
    merger.offer("b", List.of(event("b", 12)), () -> {}, 4_900);
    merger.offer("a", List.of(event("a", 20)), () -> {}, 4_900);
    assertEquals(
        List.of(12L), times(merger.release(4_900)), "b delivers again and holds a back once more");
  }

  @Test
  void aBusyBacklogDoesNotCountAsSilence() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    merger.offer("a", List.of(event("a", 10), event("a", 50)), () -> {}, 0);
    merger.offer("b", List.of(event("b", 20)), () -> {}, 0);
    assertEquals(List.of(10L, 20L), times(merger.release(0)));
    for (long wall = 1_500; wall <= 9_000; wall += 1_500) {
      long time = 20 + wall / 500;
      merger.offer("b", List.of(event("b", time)), () -> {}, wall);
      assertEquals(
          List.of(time),
          times(merger.release(wall)),
          "a's 50 has waited " + wall + " ms in the queue, yet b keeps delivering");
    }
  }

  @Test
  void aTopicThatIsReconnectingHoldsOthersBackLongerThanASilentOne() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    merger.offer("a", List.of(event("a", 1), event("a", 3)), () -> {}, 0);
    merger.offer("b", List.of(event("b", 2)), () -> {}, 0);
    assertEquals(List.of(1L, 2L), times(merger.release(0)));
    merger.down("b", 100);
    merger.offer("a", List.of(event("a", 50)), () -> {}, 100);
    assertEquals(
        List.of(),
        times(merger.release(10_000)),
        "b is reconnecting: its backlog may be older than 3");
    merger.offer("b", List.of(event("b", 40), event("b", 60)), () -> {}, 10_000);
    assertEquals(List.of(3L, 40L, 50L), times(merger.release(10_250)), "b is back");
    assertEquals(
        List.of(),
        times(merger.release(12_000)),
        "a's 50 waited here until 10.1 s, holding a's credit: a is silent only since then");
    assertEquals(List.of(60L), times(merger.release(12_100)), "a silent for 2 s");
    merger.down("b", 20_000);
    merger.offer("a", List.of(event("a", 70)), () -> {}, 21_000);
    assertEquals(List.of(), times(merger.release(80_999)));
    assertEquals(
        List.of(70L),
        times(merger.release(81_250)),
        "but not forever: 60 s from the server's first sign of life after b went down");
  }

  @Test
  void afterAnOutageLongerThanTheWaitTheFirstTopicBackStillWaitsForTheOthers() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    merger.offer("a", List.of(event("a", 1), event("a", 5)), () -> {}, 0);
    merger.offer("b", List.of(event("b", 2)), () -> {}, 0);
    assertEquals(List.of(1L, 2L), times(merger.release(0)));
    // The server goes away for a minute and a half: every stream is down and reconnecting.
    merger.down("a", 1_000);
    merger.down("b", 1_000);
    assertEquals(
        List.of(), times(merger.release(80_000)), "the server is away: b's backlog may be older");
    merger.offer("a", List.of(event("a", 100)), () -> {}, 91_000);
    assertEquals(
        List.of(),
        times(merger.release(91_000)),
        "a is back first; b is still reconnecting and its backlog may be older than 5");
    merger.offer("b", List.of(event("b", 4), event("b", 90)), () -> {}, 93_000);
    assertEquals(List.of(4L, 5L, 90L), times(merger.release(93_000)));
    assertEquals(List.of(100L), times(merger.release(95_000)));
  }

  @Test
  void aBatchSentBeforeAnOutageIsNoSignThatTheServerIsBack() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    merger.offer("a", List.of(event("a", 1), event("a", 5)), () -> {}, 0);
    merger.offer("b", List.of(event("b", 2)), () -> {}, 0);
    assertEquals(List.of(1L, 2L), times(merger.release(0)));
    // The connection drops. b's last batch, received before the failure, reaches the merge after
    // a's failure and before b's own.
    merger.down("a", 1_000);
    merger.offer("b", List.of(event("b", 7)), () -> {}, 1_050);
    merger.down("b", 1_060);
    assertEquals(List.of(5L), times(merger.release(1_100)));
    assertEquals(
        List.of(),
        times(merger.release(75_000)),
        "the server is away for 70 s: a's backlog may be older than 7, and b's batch was no sign"
            + " of the server");
    merger.offer("a", List.of(event("a", 6)), () -> {}, 75_000);
    assertEquals(List.of(6L), times(merger.release(75_000)), "a is back first");
    assertEquals(List.of(7L), times(merger.release(77_000)), "then a is quiet for 2 s");
  }

  @Test
  void aBatchThatWaitedLongerThanTheWaitDoesNotMakeItsTopicSilent() {
    Driven merger = new Driven(List.of("dense", "sparse"), 2_000);
    // A replayed backlog: the sparse topic's batch spans what the dense one delivers over seconds.
    merger.offer("sparse", List.of(event("sparse", 10)), () -> {}, 0);
    merger.offer("dense", List.of(event("dense", 1)), () -> {}, 0);
    assertEquals(List.of(1L), times(merger.release(0)));
    merger.offer("dense", List.of(event("dense", 2)), () -> {}, 1_000);
    merger.offer("dense", List.of(event("dense", 3)), () -> {}, 2_000);
    merger.offer("dense", List.of(event("dense", 4)), () -> {}, 3_000);
    assertEquals(List.of(2L, 3L, 4L), times(merger.release(3_000)));
    merger.offer("dense", List.of(event("dense", 12)), () -> {}, 3_500);
    assertEquals(
        List.of(10L),
        times(merger.release(3_500)),
        "sparse's batch waited 3.5 s for dense; only now can its credit bring the next one: 12"
            + " waits for it");
    merger.offer("sparse", List.of(event("sparse", 11)), () -> {}, 3_800);
    assertEquals(List.of(11L), times(merger.release(3_800)));
    merger.idle("sparse", 3_900);
    assertEquals(List.of(12L), times(merger.release(3_900)), "sparse has nothing more for now");
  }

  @Test
  void aStallOfTheProcessDoesNotCountAsWaitingForAnIdleTopic() {
    EventTimeMerger merger = new EventTimeMerger(List.of("a", "b"), 2_000, 0);
    merger.offer("b", List.of(event("b", 2)), () -> {}, 0);
    merger.offer("a", List.of(event("a", 1)), () -> {}, 0);
    assertEquals(List.of(1L), times(merger.release(0)));
    merger.offer("a", List.of(event("a", 10)), () -> {}, 100);
    assertEquals(List.of(2L), times(merger.release(100)));
    merger.idle("b", 100);
    assertEquals(List.of(), times(merger.release(200)), "b is idle, but 10 gets its grace");
    // Then the process stalls for a second (a starved CPU, a GC pause): b's next event, older
    // than 10 and published before it, is on its way on another thread. The first look after the
    // stall comes before it is offered.
    assertEquals(List.of(), times(merger.release(1_200)), "a stall is not time b had to deliver");
    merger.offer("b", List.of(event("b", 5)), () -> {}, 1_210);
    assertEquals(List.of(5L), times(merger.release(1_210)));
    assertEquals(List.of(), times(merger.release(1_300)), "b is no longer idle: 10 waits for it");
    // Without a stall the clock keeps wall time: b silent for 2 s (looks every 100 ms) lets 10 go.
    for (long wall = 1_400; wall <= 3_200; wall += 100) {
      assertEquals(List.of(), times(merger.release(wall)), "at " + wall);
    }
    assertEquals(List.of(10L), times(merger.release(3_300)));
  }

  @Test
  void aBacklogFarBehindTheNewestEventDoesNotWaitForAnIdleTopic() {
    Driven merger = new Driven(List.of("a", "b"), 2_000);
    merger.offer("a", List.of(event("a", 500)), () -> {}, 0);
    merger.offer("b", List.of(event("b", 1_000)), () -> {}, 0);
    assertEquals(List.of(500L), times(merger.release(0)));
    merger.idle("a", 0);
    assertEquals(List.of(1_000L), times(merger.release(250)), "after a's grace");
    merger.idle("b", 300);
    // A catch-up: a delivers a backlog of five minutes. Whatever idle b publishes from now
    // on is newer than the backlog's old part, so that part has nothing to wait for.
    merger.offer(
        "a", List.of(event("a", 10_000), event("a", 250_000), event("a", 300_000)), () -> {}, 300);
    assertEquals(List.of(10_000L), times(merger.release(300)));
    assertEquals(
        List.of(),
        times(merger.release(500)),
        "250,000 is within a minute of the newest event: b may be racing it on the wire");
    assertEquals(List.of(250_000L, 300_000L), times(merger.release(550)));
  }

  @Test
  void inABacklogAStreamThatWasOwedEventsIsSilentSinceItsLastBatch() {
    Driven merger = new Driven(List.of("dense", "sparse"), 2_000);
    // A catch-up: sparse delivers its last event of the backlog at once, with credit to spare;
    // dense's backlog comes a batch at a time and reaches an hour later.
    merger.offerOwed("sparse", List.of(event("sparse", 10_000)), 0);
    merger.offer("dense", List.of(event("dense", 1_000)), () -> {}, 0);
    assertEquals(List.of(1_000L), times(merger.release(0)));
    merger.offer("dense", List.of(event("dense", 5_000)), () -> {}, 1_500);
    assertEquals(List.of(5_000L), times(merger.release(1_500)));
    merger.offer(
        "dense", List.of(event("dense", 20_000), event("dense", 3_600_000)), () -> {}, 3_000);
    assertEquals(
        List.of(10_000L, 20_000L),
        times(merger.release(3_000)),
        "sparse was owed events for 3 s and sent none: 20,000, an hour behind the newest, goes");
    assertEquals(
        List.of(),
        times(merger.release(3_200)),
        "sparse now counts as idle; 3,600,000 is the newest, so it gets the grace: a live event"
            + " of sparse may be racing it");
    assertEquals(List.of(3_600_000L), times(merger.release(3_250)));
  }

  @Test
  void nearTheNewestEventAStreamOwedEventsIsIdleAfterTheWaitButTheEventStillGetsTheGrace() {
    Driven merger = new Driven(List.of("dense", "sparse"), 2_000);
    merger.offerOwed("sparse", List.of(event("sparse", 10)), 0);
    merger.offer("dense", List.of(event("dense", 1)), () -> {}, 0);
    assertEquals(List.of(1L), times(merger.release(0)));
    merger.offer("dense", List.of(event("dense", 5)), () -> {}, 1_500);
    assertEquals(List.of(5L), times(merger.release(1_500)));
    merger.offer("dense", List.of(event("dense", 12)), () -> {}, 3_000);
    assertEquals(
        List.of(10L),
        times(merger.release(3_000)),
        "sparse was owed events for 3 s and sent none: it counts as idle");
    assertEquals(
        List.of(),
        times(merger.release(3_200)),
        "12 just arrived and is the newest: sparse's next event may be racing it on the wire");
    assertEquals(List.of(12L), times(merger.release(3_250)));
  }

  @Test
  void aStreamThatAsksAgainAfterItsBacklogStoppedItIsSilentSinceItAsked() {
    // The end of a catch-up: two sparse topics had used up their credit on a backlog that
    // reaches far ahead of dense's, and asked again as their first batches were processed.
    Driven merger = new Driven(List.of("dense", "s1", "s2"), 2_000);
    merger.offer("s1", List.of(event("s1", 100)), () -> {}, 0);
    merger.offer("s2", List.of(event("s2", 200), event("s2", 400)), () -> {}, 0);
    merger.offer("dense", List.of(event("dense", 50)), () -> {}, 0);
    assertEquals(List.of(50L), times(merger.release(0)));
    merger.owed("s1", 500);
    merger.owed("s2", 500);
    merger.offerOwed("dense", List.of(event("dense", 300), event("dense", 500)), 1_000);
    assertEquals(
        List.of(100L),
        times(merger.release(1_000)),
        "200 waits for s1, which asked at 500 and sent nothing yet");
    assertEquals(List.of(), times(merger.release(2_400)));
    assertEquals(
        List.of(200L, 300L, 400L, 500L),
        times(merger.release(2_500)),
        "s1 and s2 both asked at 500: their waits run out together, not one after the other as"
            + " their last events leave");
  }

  @Test
  void withoutAskingAgainAStreamWhoseCreditWasUsedUpIsSilentOnlyOnceItsEventsLeft() {
    Driven merger = new Driven(List.of("dense", "s1", "s2"), 2_000);
    merger.offer("s1", List.of(event("s1", 100)), () -> {}, 0);
    merger.offer("s2", List.of(event("s2", 200), event("s2", 400)), () -> {}, 0);
    merger.offer("dense", List.of(event("dense", 50)), () -> {}, 0);
    assertEquals(List.of(50L), times(merger.release(0)));
    merger.offerOwed("dense", List.of(event("dense", 300), event("dense", 500)), 1_000);
    assertEquals(List.of(100L), times(merger.release(1_000)));
    assertEquals(List.of(), times(merger.release(2_900)), "s1 could send nothing before 1,000");
    assertEquals(List.of(200L, 300L, 400L), times(merger.release(3_000)));
    assertEquals(List.of(), times(merger.release(4_900)), "nor s2 before 3,000");
    assertEquals(List.of(500L), times(merger.release(5_000)));
  }

  @Test
  void anEventThatComesAfterTheMergeStoppedWaitingForItsTopicIsReported() {
    List<String> seen = new ArrayList<>();
    EventTimeMerger merger =
        new EventTimeMerger(
            List.of("a", "b"),
            2_000,
            0,
            new EventTimeMerger.Observer() {
              @Override
              public void held(EventTimeMerger.Hold reason) {
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(reason.name())) {
                  seen.add(reason.name());
                }
              }

              @Override
              public void outOfOrder(String topic, String ahead, long lateMillis, String why) {
                seen.add(topic + " " + lateMillis + " ms behind " + ahead + ": " + why);
              }
            });
    merger.offer("b", List.of(event("b", 5)), () -> {}, 0);
    merger.offer("a", List.of(event("a", 1), event("a", 100)), () -> {}, 0);
    assertEquals(List.of(1L, 5L), times(merger.release(0)));
    for (long wall = 100; wall < 2_000; wall += 100) {
      assertEquals(List.of(), times(merger.release(wall)), "100 waits for b at " + wall);
    }
    assertEquals(List.of(100L), times(merger.release(2_000)), "b silent for 2 s");
    merger.offer("b", List.of(event("b", 40), event("b", 120)), () -> {}, 2_100);
    assertEquals(List.of(40L), times(merger.release(2_100)), "120 waits for a again");
    assertEquals(List.of("QUIET", "b 60 ms behind a: it was silent for 2000 ms", "QUIET"), seen);
  }

  @Test
  void aBatchThatUsedUpTheCreditEndsWhatAnEarlierOneWasOwed() {
    Driven merger = new Driven(List.of("dense", "sparse"), 2_000);
    merger.offer("dense", List.of(event("dense", 1)), () -> {}, 0);
    merger.offerOwed("sparse", List.of(event("sparse", 5)), 0);
    assertEquals(List.of(1L), times(merger.release(0)));
    // sparse's next batch uses up its credit: until it asks again it can send nothing, however
    // long ago its owed batch came.
    merger.offer("sparse", List.of(event("sparse", 20)), () -> {}, 500);
    merger.offer("dense", List.of(event("dense", 30)), () -> {}, 1_000);
    assertEquals(List.of(5L, 20L), times(merger.release(1_000)));
    assertEquals(
        List.of(), times(merger.release(2_900)), "sparse is silent only since 20 left, at 1,000");
    assertEquals(List.of(30L), times(merger.release(3_000)));
  }

  @Test
  void aSubscriptionWhoseCreditIsUsedUpHoldsOthersUntilItAsksAgainNotOnlyForTheWait() {
    Driven merger = new Driven(List.of("dense", "sparse"), 2_000);
    merger.owed("sparse", 0); // a subscription: it says when it asks again
    merger.offer("sparse", List.of(event("sparse", 5)), () -> {}, 0); // used up its credit
    merger.offer("dense", List.of(event("dense", 10)), () -> {}, 0);
    assertEquals(List.of(5L), times(merger.release(0)));
    // sparse's position waits behind alerts a slow sink has not taken: it cannot ask again yet.
    assertEquals(List.of(), times(merger.release(5_000)), "not silence: its credit is not back");
    merger.owed("sparse", 5_000);
    assertEquals(List.of(), times(merger.release(6_900)));
    assertEquals(List.of(10L), times(merger.release(7_000)), "2 s after it asked again");
  }

  @Test
  void aSubscriptionThatNeverAsksAgainHoldsOthersNoLongerThanADownStream() {
    Driven merger = new Driven(List.of("dense", "sparse"), 2_000);
    merger.owed("sparse", 0);
    merger.offer("sparse", List.of(event("sparse", 5)), () -> {}, 0);
    merger.offer("dense", List.of(event("dense", 10)), () -> {}, 0);
    assertEquals(List.of(5L), times(merger.release(0)));
    assertEquals(List.of(), times(merger.release(59_900)));
    assertEquals(List.of(10L), times(merger.release(60_000)));
  }

  @Test
  void eachLookSaysWhatTheEventsLeftWaitFor() {
    EventTimeMerger merger = new EventTimeMerger(List.of("a", "b"), 2_000, 0);
    merger.offer("a", List.of(event("a", 5)), () -> {}, 0);
    assertEquals(List.of(), times(merger.release(0)));
    assertEquals(EventTimeMerger.Hold.QUIET, merger.lastHold(), "b may still send something older");
    merger.idle("b", 100);
    assertEquals(List.of(), times(merger.release(100)));
    assertEquals(EventTimeMerger.Hold.IDLE_GRACE, merger.lastHold());
    assertEquals(List.of(), times(merger.release(200)));
    assertEquals(List.of(5L), times(merger.release(300)));
    assertEquals(null, merger.lastHold(), "nothing left waiting");
  }

  @Test
  void aBatchCompletesOnlyWhenAllItsEventsAreDone() {
    Driven merger = new Driven(List.of("a"), 2_000);
    List<String> completed = new ArrayList<>();
    merger.offer("a", List.of(event("a", 1), event("a", 2)), () -> completed.add("batch"), 0);
    List<EventTimeMerger.Pending> released = merger.release(0);
    released.get(0).batch().done();
    assertEquals(List.of(), completed);
    released.get(1).batch().done();
    assertEquals(List.of("batch"), completed);
  }
}
