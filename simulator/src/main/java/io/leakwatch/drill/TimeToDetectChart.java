package io.leakwatch.drill;

import java.util.List;
import java.util.Locale;

/**
 * An inline SVG bar chart of time to detect per scenario. Times run from seconds to a day, so the
 * axis is logarithmic (a zero-second detection still shows as a sliver); a missed scenario shows a
 * red cross instead of a bar.
 */
final class TimeToDetectChart {
  private static final long[] TICKS_SECONDS = {0, 1, 10, 60, 600, 3_600, 21_600, 86_400, 604_800};
  private static final String[] TICK_LABELS = {
    "0", "1 s", "10 s", "1 min", "10 min", "1 h", "6 h", "1 d", "7 d"
  };
  private static final int LABEL_WIDTH = 250;
  private static final int PLOT_WIDTH = 470;
  private static final int VALUE_WIDTH = 110;
  private static final int ROW = 24;
  private static final int TOP = 10;
  private static final int AXIS = 34;

  private TimeToDetectChart() {}

  static String svg(List<DrillReport.ScenarioRow> rows) {
    long maxSeconds =
        rows.stream().mapToLong(DrillReport.ScenarioRow::timeToDetectMillis).max().orElse(0) / 1000;
    int lastTick = 3;
    while (lastTick < TICKS_SECONDS.length - 1 && TICKS_SECONDS[lastTick] < maxSeconds) {
      lastTick++;
    }
    double scaleMax = Math.log10(1 + TICKS_SECONDS[lastTick]);
    int width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;
    int height = TOP + rows.size() * ROW + AXIS;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg id=\"ttd-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
                + " aria-label=\"Time to detect per scenario, logarithmic axis\">%n",
            width,
            height,
            width,
            height));
    svg.append("<title>Time to detect per scenario (event time, logarithmic axis)</title>\n");
    int plotBottom = TOP + rows.size() * ROW;
    for (int t = 0; t <= lastTick; t++) {
      double x = LABEL_WIDTH + Math.log10(1 + TICKS_SECONDS[t]) / scaleMax * PLOT_WIDTH;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d0d7de\" stroke-width=\"1\"/>%n",
              x,
              TOP,
              x,
              plotBottom));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#57606a\" text-anchor=\"middle\">%s</text>%n",
              x,
              plotBottom + 16,
              TICK_LABELS[t]));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#57606a\" text-anchor=\"middle\">event time from the first leaking event to the first alert</text>%n",
            LABEL_WIDTH + PLOT_WIDTH / 2,
            plotBottom + 31));
    for (int i = 0; i < rows.size(); i++) {
      DrillReport.ScenarioRow row = rows.get(i);
      int y = TOP + i * ROW;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1f2328\" text-anchor=\"end\">%s</text>%n",
              LABEL_WIDTH - 8,
              y + 16,
              Markup.escape(row.id())));
      if (row.timeToDetectMillis() < 0) {
        int cx = LABEL_WIDTH + 8;
        svg.append(
            String.format(
                Locale.ROOT,
                "<path class=\"missed\" d=\"M%d %d l10 10 m0 -10 l-10 10\" stroke=\"#cf222e\" stroke-width=\"3\"/>%n",
                cx - 5,
                y + 7));
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"12\" font-weight=\"bold\" fill=\"#cf222e\">MISSED (%s)</text>%n",
                cx + 12,
                y + 16,
                Markup.escape(String.join(", ", row.missedRules()))));
        continue;
      }
      double bar =
          Math.max(3, Math.log10(1 + row.timeToDetectMillis() / 1000.0) / scaleMax * PLOT_WIDTH);
      String colour = row.passed() ? "#2da44e" : "#bf8700";
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\"><title>%s: %s</title></rect>%n",
              LABEL_WIDTH,
              y + 4,
              bar,
              ROW - 8,
              colour,
              Markup.escape(row.id()),
              Durations.human(row.timeToDetectMillis())));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#1f2328\">%s</text>%n",
              LABEL_WIDTH + bar + 6,
              y + 16,
              Durations.human(row.timeToDetectMillis())));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#57606a\" stroke-width=\"1\"/>%n",
            LABEL_WIDTH,
            TOP,
            LABEL_WIDTH,
            plotBottom));
    svg.append("</svg>\n");
    return svg.toString();
  }
}
