package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leakwatch.pubsub.ReceivedEvent;
import io.leakwatch.pubsub.ReplayId;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aTopicThatRacesAheadWaitsForTheSlowOne() {
    EventTimeMerger merger = new EventTimeMerger(List.of("fast", "slow"), 2_000, 0);
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

  @Test
  void aSilentTopicHoldsOthersBackOnlyUntilTheWaitRunsOut() {
    EventTimeMerger merger = new EventTimeMerger(List.of("a", "b"), 2_000, 0);
    merger.offer("a", List.of(event("a", 1)), () -> {}, 1_000);
    merger.offer("b", List.of(event("b", 5)), () -> {}, 1_000);
    assertEquals(
        List.of(1L), times(merger.release(1_000)), "5 waits: a may still send something earlier");
    merger.offer("a", List.of(event("a", 10)), () -> {}, 2_500);
    assertEquals(
        List.of(5L), times(merger.release(2_999)), "b delivered less than 2 s ago: a's 10 waits");
    assertEquals(List.of(10L), times(merger.release(3_000)), "b silent for 2 s");
    merger.offer("a", List.of(event("a", 11)), () -> {}, 3_000);
    assertEquals(
        List.of(11L), times(merger.release(3_250)), "b now counts as idle until it delivers");
    merger.offer("b", List.of(event("b", 12)), () -> {}, 3_100);
    merger.offer("a", List.of(event("a", 20)), () -> {}, 3_100);
    assertEquals(
        List.of(12L), times(merger.release(3_100)), "b delivers again and holds a back once more");
  }

  @Test
  void aBusyBacklogDoesNotCountAsSilence() {
    EventTimeMerger merger = new EventTimeMerger(List.of("a", "b"), 2_000, 0);
    merger.offer("a", List.of(event("a", 10), event("a", 50)), () -> {}, 0);
    merger.offer("b", List.of(event("b", 20)), () -> {}, 0);
    assertEquals(List.of(10L, 20L), times(merger.release(0)));
    merger.offer("b", List.of(event("b", 30)), () -> {}, 9_000);
    assertEquals(
        List.of(30L),
        times(merger.release(9_000)),
        "a's 50 waited 9 s in the queue, yet b keeps delivering");
  }

  @Test
  void aTopicThatIsReconnectingHoldsOthersBackLongerThanASilentOne() {
    EventTimeMerger merger = new EventTimeMerger(List.of("a", "b"), 2_000, 0);
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
    assertEquals(
        List.of(3L, 40L, 50L, 60L),
        times(merger.release(10_250)),
        "b is back; a has been silent long enough");
    merger.down("b", 20_000);
    merger.offer("a", List.of(event("a", 70)), () -> {}, 20_000);
    assertEquals(List.of(), times(merger.release(79_999)));
    assertEquals(List.of(70L), times(merger.release(80_250)), "but not forever");
  }

  @Test
  void afterAnOutageLongerThanTheWaitTheFirstTopicBackStillWaitsForTheOthers() {
    EventTimeMerger merger = new EventTimeMerger(List.of("a", "b"), 2_000, 0);
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
  void aBatchCompletesOnlyWhenAllItsEventsAreDone() {
    EventTimeMerger merger = new EventTimeMerger(List.of("a"), 2_000, 0);
    List<String> completed = new ArrayList<>();
    merger.offer("a", List.of(event("a", 1), event("a", 2)), () -> completed.add("batch"), 0);
    List<EventTimeMerger.Pending> released = merger.release(0);
    released.get(0).batch().done();
    assertEquals(List.of(), completed);
    released.get(1).batch().done();
    assertEquals(List.of("batch"), completed);
  }
}
