package io.leakwatch.drill;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Inline SVG sparklines of the drill history: pass rate and median time to detect, oldest run
 * first.
 */
final class TrendChart {
  private static final int WIDTH = 320;
  private static final int HEIGHT = 70;
  private static final int PAD = 8;

  private TrendChart() {}

  static String svg(List<DrillHistory.Entry> runs) {
    StringBuilder svg = new StringBuilder();
    svg.append("<div class=\"trend\">\n");
    svg.append(
        sparkline(
            "trend-pass-rate",
            "Pass rate",
            runs,
            e -> e.passRate(),
            1.0,
            String.format(Locale.ROOT, "%.0f %%", 100 * runs.get(runs.size() - 1).passRate()),
            "#2da44e"));
    double maxTtd =
        runs.stream()
            .mapToDouble(e -> Math.log10(1 + Math.max(0, e.timeToDetectP50Millis()) / 1000.0))
            .max()
            .orElse(0);
    svg.append(
        sparkline(
            "trend-ttd",
            "Time to detect, p50 (log)",
            runs,
            e -> Math.log10(1 + Math.max(0, e.timeToDetectP50Millis()) / 1000.0),
            Math.max(maxTtd, 1),
            Durations.human(runs.get(runs.size() - 1).timeToDetectP50Millis()),
            "#0969da"));
    svg.append("</div>\n");
    return svg.toString();
  }

  private static String sparkline(
      String id,
      String label,
      List<DrillHistory.Entry> runs,
      ToDoubleFunction<DrillHistory.Entry> value,
      double max,
      String latest,
      String colour) {
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n",
            id,
            WIDTH,
            HEIGHT + 18,
            WIDTH,
            HEIGHT + 18,
            Markup.escape(label)));
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f6f8fa\" rx=\"4\"/>%n",
            WIDTH,
            HEIGHT));
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < runs.size(); i++) {
      double x =
          runs.size() == 1 ? WIDTH / 2.0 : PAD + (double) i / (runs.size() - 1) * (WIDTH - 2 * PAD);
      double y = HEIGHT - PAD - value.applyAsDouble(runs.get(i)) / max * (HEIGHT - 2 * PAD);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      svg.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s</title></circle>%n",
              x,
              y,
              colour,
              Markup.escape(runs.get(i).finishedAt().toString())));
    }
    if (runs.size() > 1) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
              points.toString().strip(),
              colour));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"0\" y=\"%d\" font-size=\"12\" fill=\"#1f2328\">%s: %s (latest of %d)</text>%n",
            HEIGHT + 14,
            Markup.escape(label),
            Markup.escape(latest),
            runs.size()));
    svg.append("</svg>\n");
    return svg.toString();
  }
}
