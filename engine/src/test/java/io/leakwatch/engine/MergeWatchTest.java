package io.leakwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
