package io.leakwatch.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens report.html in a real browser, headless Chromium, the way an auditor would: the DOM must
 * hold the chart and the tables, and the screenshot must show the chart's coloured bars and the red
 * cross of a missed scenario. Skips, saying why, where Chromium is not installed (.ci/run installs
 * it).
 */
class ReportScreenshotTest {
  private static final long TIMEOUT_SECONDS = 90;

  @TempDir Path dir;

  @Test
  void chromiumRendersTheChartAndTheTables() throws Exception {
    Optional<Path> chromium = chromium();
    if (chromium.isEmpty()) {
      String reason =
          "headless Chromium not found (looked for $LEAKWATCH_CHROMIUM, /usr/bin/chromium and chromium, chromium-browser,"
              + " google-chrome on PATH); install it with: apt-get install -y chromium";
      System.out.println("ReportScreenshotTest SKIPPED: " + reason);
      Assumptions.abort(reason);
    }
    DrillReport report = SampleReport.withAMiss();
    Path html = dir.resolve("report.html");
    Files.writeString(html, ReportHtml.render(report, SampleReport.history(report)));

    String dom = run(chromium.get(), html, "--dump-dom");
    assertTrue(dom.contains("<svg id=\"ttd-chart\""), "the chart is in the rendered DOM");
    assertEquals(4, dom.split("class=\"bar\"", -1).length - 1, "one bar per detected scenario");
    for (String table :
        List.of(
            "scenario-table",
            "coverage-grid",
            "control-table",
            "trend-table",
            "evidence-table",
            "false-positive-table")) {
      assertTrue(dom.contains("id=\"" + table + "\""), table);
    }
    assertTrue(
        dom.contains("evil-&lt;script&gt;"), "the hostile scenario id rendered as text, not run");

    Path png = dir.resolve("report.png");
    run(
        chromium.get(),
        html,
        "--screenshot=" + png,
        "--window-size=1280,2400",
        "--hide-scrollbars");
    String keep = System.getProperty("leakwatch.screenshots");
    if (keep != null) {
      // -Dleakwatch.screenshots=DIR keeps the page and its screenshot for a person to look at.
      Files.createDirectories(Path.of(keep));
      Files.copy(
          png,
          Path.of(keep, "sample-report.png"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          html,
          Path.of(keep, "sample-report.html"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(1280, image.getWidth());
    int green = 0;
    int red = 0;
    int ink = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (near(r, g, b, 0x2d, 0xa4, 0x4e)) {
          green++;
        } else if (near(r, g, b, 0xcf, 0x22, 0x2e)) {
          red++;
        }
        if (r + g + b < 600) {
          ink++;
        }
      }
    }
    System.out.printf(
        "ReportScreenshotTest: %s: %d chart-green, %d missed-red, %d dark pixels%n",
        png, green, red, ink);
    assertTrue(green > 2_000, "the chart's bars are drawn (" + green + " green pixels)");
    assertTrue(
        red > 30, "the missed scenario's cross and label are drawn (" + red + " red pixels)");
    assertTrue(
        ink > image.getWidth() * image.getHeight() / 100,
        "the page has text and tables, not a blank canvas (" + ink + ")");
  }

  private static boolean near(int r, int g, int b, int tr, int tg, int tb) {
    return Math.abs(r - tr) < 24 && Math.abs(g - tg) < 24 && Math.abs(b - tb) < 24;
  }

  /**
   * Runs headless Chromium on {@code html} with a fresh profile and returns what it printed on
   * stdout.
   */
  private String run(Path chromium, Path html, String... extra)
      throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium-profile-");
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile));
    command.addAll(List.of(extra));
    command.add(html.toUri().toString());
    Path stdout = dir.resolve("chromium-" + System.nanoTime() + ".out");
    Path stderr = dir.resolve("chromium-" + System.nanoTime() + ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AssertionError(
          "chromium did not finish within " + TIMEOUT_SECONDS + " s: " + Files.readString(stderr));
    }
    assertEquals(0, process.exitValue(), "chromium failed: " + Files.readString(stderr));
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  static Optional<Path> chromium() {
    String configured = System.getenv("LEAKWATCH_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }
    if (Files.isExecutable(Path.of("/usr/bin/chromium"))) {
      return Optional.of(Path.of("/usr/bin/chromium"));
    }
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(File.pathSeparator))
        .filter(p -> !p.isEmpty())
        .flatMap(
            p ->
                Stream.of("chromium", "chromium-browser", "google-chrome")
                    .map(name -> Path.of(p, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
