package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The benchmark's report, on a small org: what it prints, not how fast this machine is. */
class BenchCommandTest {
  @Test
  void printsPackAndBareRatesTheirRatioAndRetainedHeapAsMediansOfTheRuns() {
    CliRun run =
        CliRun.of(
            "bench", "--events", "3000", "--users", "50", "--scenarios", "none", "--repeat", "2");
    assertEquals(0, run.exit(), run.err());
    assertEquals(2, count(run.out(), "(?m)^run \\d bare "), run.out());
    assertEquals(2, count(run.out(), "(?m)^run \\d pack "), run.out());
    assertTrue(run.out().contains("events        3,000 (0 dead-lettered)"), run.out());
    assertTrue(run.out().contains("(median of 2)"), run.out());
    assertTrue(
        Pattern.compile("(?m)^cpu per event \\d+\\.\\d µs of the measuring thread's CPU time")
            .matcher(run.out())
            .find(),
        run.out());
    assertTrue(
        Pattern.compile("pack / bare   \\d+\\.\\d\\d \\(by CPU time per event: \\d+\\.\\d\\d\\)")
            .matcher(run.out())
            .find(),
        run.out());
    Matcher ratio = Pattern.compile("pack / bare   (\\d+\\.\\d\\d)").matcher(run.out());
    assertTrue(ratio.find(), run.out());
    double value = Double.parseDouble(ratio.group(1));
    assertTrue(value > 0 && value < 5, "a ratio of two positive rates: " + value);
    assertTrue(
        Pattern.compile("retained heap \\d+\\.\\d MiB engine state after a full GC \\(bare engine")
            .matcher(run.out())
            .find(),
        run.out());
  }

  /**
   * Over the wire: every event published to the simulator's Pub/Sub server reaches a whole engine
   * over TLS (the run waits for all of them), and the same injected leaks are alerted as on the
   * direct path.
   */
  @Test
  void overGrpcEveryEventReachesTheEngineAndTheRateIsPrinted() {
    CliRun run = CliRun.of("bench", "--events", "5000", "--users", "300", "--transport", "grpc");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("Warming up on 1,000 events over gRPC"), run.out());
    assertTrue(
        Pattern.compile(
                "(?m)^run 1 grpc  [\\d,]+ events/s .* merge held \\{[^}]*\\}, waited"
                    + " \\{[^}]*\\} s, \\d+ out of order$")
            .matcher(run.out())
            .find(),
        run.out());
    assertTrue(run.out().contains("events        5,000 (0 dead-lettered)"), run.out());
    assertTrue(run.out().contains("at most 100 outstanding per topic"), run.out());
    Matcher alerts = Pattern.compile("(?m)^alerts        (\\d+)$").matcher(run.out());
    assertTrue(alerts.find(), run.out());
    assertTrue(Integer.parseInt(alerts.group(1)) > 0, "the injected leaks alert: " + run.out());
  }

  /** Orgs per node: several orgs' pipelines in one process, their total rate and state per org. */
  @Test
  void severalOrgsSideBySidePrintTheirTotalRateAndStatePerOrg() {
    CliRun run =
        CliRun.of(
            "bench",
            "--events",
            "3000",
            "--users",
            "50",
            "--scenarios",
            "none",
            "--no-bare",
            "--orgs",
            "3");
    assertEquals(0, run.exit(), run.err());
    assertTrue(
        Pattern.compile(
                "(?m)^3 orgs       [\\d,]+ events/s in total on one thread \\(3,000 events each\\);"
                    + " engine state \\d+\\.\\d MiB, \\d+\\.\\d MiB per org; 0 alerts$")
            .matcher(run.out())
            .find(),
        run.out());
  }

  @Test
  void anUnknownTransportIsAUsageError() {
    CliRun run = CliRun.of("bench", "--transport", "carrier-pigeon");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("--transport: expected direct or grpc"), run.err());
  }

  @Test
  void aRepeatOutOfRangeIsAUsageError() {
    assertEquals(2, CliRun.of("bench", "--repeat", "0").exit());
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
