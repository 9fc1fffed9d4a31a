package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergeWatchTest {
  @Test
  void everyOutOfOrderEventAndEveryHoldIsCountedThoughTheLogSpeaksOnceAMinute() {
    PipelineStats stats = new PipelineStats();
    MergeWatch watch = new MergeWatch(stats);
    watch.outOfOrder("/event/ApiEventStream", "/event/LoginEventStream", 60_000, "it was idle");
    watch.outOfOrder("/event/ApiEventStream", "/event/LoginEventStream", 1_000, "it was idle");
    watch.outOfOrder("/event/FileEvent", "/event/ApiEventStream", 5, "it was silent for 2000 ms");
    watch.held(EventTimeMerger.Hold.QUIET);
    watch.held(EventTimeMerger.Hold.QUIET);
    watch.held(EventTimeMerger.Hold.IDLE_GRACE);
    watch.held(EventTimeMerger.Hold.DOWN);

    assertEquals(
        Map.of("/event/ApiEventStream", 2L, "/event/FileEvent", 1L), stats.outOfOrderByTopic());
    assertEquals(
        Map.of("quiet", 2L, "idle-grace", 1L, "down", 1L),
        stats.mergeHoldsByReason(),
        "the reasons as /metrics labels them");
  }

  @Test
  void whatTheLogHeldBackForAMinuteIsSaidOnceTheMinuteIsOverWithoutWaitingForTheNextEvent() {
    List<String> lines = new ArrayList<>();
    long[] wall = {0};
    MergeWatch watch = new MergeWatch(new PipelineStats(), lines::add, () -> wall[0]);
    String api = "/event/ApiEventStream";
    watch.outOfOrder(api, "/event/LoginEventStream", 700, "it said it was idle");
    assertEquals(1, lines.size(), "the first is said at once");
    wall[0] = 10_000;
    watch.outOfOrder(api, "/event/FileEvent", 1_500, "it was silent for 2000 ms");
    watch.outOfOrder(api, "/event/FileEvent", 900, "it was silent for 2000 ms");
    wall[0] = 59_999;
    watch.flush();
    assertEquals(1, lines.size(), "at most once a minute");
    wall[0] = 60_000;
    watch.flush();
    assertEquals(2, lines.size(), "the minute is over: what it held back is said");
    assertTrue(
        lines
            .get(1)
            .startsWith(
                "2 event(s) of /event/ApiEventStream processed out of event-time order, up to 1500 ms"
                    + " behind events of /event/FileEvent already processed (the latest of them): the"
                    + " merge stopped waiting for /event/ApiEventStream because it was silent for"
                    + " 2000 ms."),
        lines.get(1));
    wall[0] = 200_000;
    watch.flush();
    assertEquals(2, lines.size(), "nothing new, nothing said");
  }
}
