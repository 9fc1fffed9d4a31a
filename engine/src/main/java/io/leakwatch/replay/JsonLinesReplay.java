package io.leakwatch.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.cep.BadEventException;
import io.leakwatch.cep.EventMapper;
import io.leakwatch.decision.Alert;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.ruletest.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a JSON Lines file of events (one per line: {@code channel} plus Salesforce field names)
 * through a pipeline, as {@code leakwatch replay} does. Every line is accounted for: processed, or
 * refused with its line number and the reason (not JSON, no channel, a channel no rule reads, no
 * EventDate, a date-time without offset, text in a number field). Rules run on event time, so input
 * out of event-time order is reported; {@code sort} orders it first (stable, in memory).
 */
public final class JsonLinesReplay {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SETTLE_MILLIS = 3 * 3_600_000L;

  /** A line that was not processed, and why. */
  public record Refused(long line, String reason) {}

  /**
   * What a replay did.
   *
   * @param outOfOrder events whose EventDate is before that of an earlier line (0 when sorted)
   * @param firstOutOfOrderLine the first such line, or 0
   */
  public record Summary(
      long lines,
      long events,
      long alerts,
      List<Refused> refused,
      long outOfOrder,
      long firstOutOfOrderLine,
      boolean sorted) {
    /** Whether every line was processed (the exit code's question). */
    public boolean clean() {
      return refused.isEmpty();
    }
  }

  private record Line(long number, EventJson event, Long eventTime, String problem) {}

  private final DetectionPipeline pipeline;
  private final boolean sort;

  public JsonLinesReplay(DetectionPipeline pipeline, boolean sort) {
    this.pipeline = pipeline;
    this.sort = sort;
  }

  /**
   * Replays every line of {@code input}; alerts go to {@code alerts} as they fire, refused lines to
   * {@code refused} as they are met (and into the summary).
   */
  public Summary run(BufferedReader input, Consumer<Alert> alerts, Consumer<Refused> refused)
      throws IOException {
    List<Refused> allRefused = new ArrayList<>();
    Consumer<Refused> refuse =
        r -> {
          allRefused.add(r);
          refused.accept(r);
        };
    long[] counts = new long[4]; // lines, events, alerts, out of order
    long[] firstOutOfOrder = {0};
    long[] latest = {Long.MIN_VALUE};
    Consumer<Line> play =
        line -> {
          if (line.problem() != null) {
            refuse.accept(new Refused(line.number(), line.problem()));
            return;
          }
          if (line.eventTime() != null) {
            if (line.eventTime() < latest[0]) {
              counts[3]++;
              if (firstOutOfOrder[0] == 0) {
                firstOutOfOrder[0] = line.number();
              }
            } else {
              latest[0] = line.eventTime();
            }
          }
          try {
            List<Alert> fired = pipeline.process(line.event().channel(), line.event().fields(), 0);
            counts[1]++;
            counts[2] += fired.size();
            fired.forEach(alerts);
          } catch (BadEventException e) {
            refuse.accept(new Refused(line.number(), e.getMessage()));
            // A rule threw on the line; what the other rules decided on it still counts.
            counts[2] += e.decided().size();
            e.decided().forEach(alerts);
          }
        };
    List<Line> held = new ArrayList<>();
    long number = 0;
    for (String text; (text = input.readLine()) != null; ) {
      number++;
      if (text.isBlank()) {
        continue;
      }
      counts[0]++;
      Line line = read(number, text);
      if (sort) {
        held.add(line);
      } else {
        play.accept(line);
      }
    }
    if (sort) {
      // Lines without a readable time go first: they are refused with their number either way.
      held.sort(
          Comparator.comparing((Line l) -> l.eventTime() == null ? Long.MIN_VALUE : l.eventTime()));
      held.forEach(play);
    }
    List<Alert> settled = pipeline.advanceTo(pipeline.eventTime() + SETTLE_MILLIS);
    counts[2] += settled.size();
    settled.forEach(alerts);
    allRefused.sort(Comparator.comparingLong(Refused::line));
    return new Summary(
        counts[0],
        counts[1],
        counts[2],
        List.copyOf(allRefused),
        counts[3],
        firstOutOfOrder[0],
        sort);
  }

  private static Line read(long number, String text) {
    EventJson event;
    try {
      event = EventJson.parse(JSON.readTree(text));
    } catch (JsonProcessingException e) {
      return new Line(number, null, null, "not valid JSON");
    } catch (IllegalArgumentException e) {
      return new Line(number, null, null, e.getMessage());
    }
    Long time = null;
    Object date = event.fields().get(EventMapper.EVENT_DATE);
    if (date != null) {
      try {
        time = EventMapper.epochMillis(EventMapper.EVENT_DATE, date);
      } catch (BadEventException e) {
        // The pipeline refuses it with this reason when its turn comes.
      }
    }
    return new Line(number, event, time, null);
  }

  /** The lines a person reads at the end of a replay: counts, then what to do about order. */
  public static List<String> describe(String file, Summary summary) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "replayed %d events from %s: %d alerts, %d lines rejected (of %d)%s",
            summary.events(),
            file,
            summary.alerts(),
            summary.refused().size(),
            summary.lines(),
            summary.sorted() ? " (sorted by EventDate first)" : ""));
    if (summary.outOfOrder() > 0) {
      lines.add(
          String.format(
              "warning: %d events are out of event-time order (first at line %d: its EventDate is"
                  + " before an earlier line's); rules ran on event time, so windows may have"
                  + " missed them: rerun with --sort",
              summary.outOfOrder(), summary.firstOutOfOrderLine()));
    }
    return lines;
  }
}
