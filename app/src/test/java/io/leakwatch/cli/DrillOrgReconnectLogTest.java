package io.leakwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.config.EngineConfig;
import io.leakwatch.engine.SubscriptionVerticle;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A drill org's simulator listens only while a drill runs, so between drills its streams retry for
 * days. Its log says so at the 1st, 2nd, 4th, 8th… attempt, not at every one.
 */
class DrillOrgReconnectLogTest {
  private static final Pattern ATTEMPT = Pattern.compile("reconnect attempt (\\d+) in ");

  @TempDir Path dir;

  @Test
  void aDrillOrgWithoutItsSimulatorLogsOncePerDoublingOfItsOutage() throws Exception {
    Files.copy(Path.of("../rules/pack/test-profile.yaml"), dir.resolve("profile.yaml"));
    int closedPort;
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      closedPort = socket.getLocalPort();
    }
    Path file = dir.resolve("leakwatch.yaml");
    Files.writeString(
        file,
        """
        orgs:
          - name: drill
            endpoint: {host: 127.0.0.1, port: %d}
            auth: {accessToken: 'token-never-used', instanceUrl: 'https://drill.my.salesforce.com', tenantId: 00D000000000001AAA}
            topics: [/event/LoginEventStream]
            profile: profile.yaml
            drill: true
            reconnectCeilingSeconds: 1
        alerts: {console: false, jsonl: alerts.jsonl}
        state: state
        """
            .formatted(closedPort));
    EngineConfig config = EngineConfig.load(file, Map.of());

    Logger logger = (Logger) LoggerFactory.getLogger(SubscriptionVerticle.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    Set<Integer> said = new TreeSet<>();
    try (RunServiceAccess service =
        RunServiceAccess.start(config, new PrintStream(OutputStream.nullOutputStream()))) {
      long deadline = System.nanoTime() + 90_000_000_000L;
      while (!said.contains(16) && System.nanoTime() < deadline) {
        Thread.sleep(100); // polls for a condition; no wall-clock window is asserted
        said = attemptsSaid(List.copyOf(appender.list));
      }
    } finally {
      logger.detachAppender(appender);
    }
    // Attempts 3, 5–7 and 9–15 happened (16 did) but were not said.
    assertEquals(Set.of(1, 2, 4, 8, 16), said, "attempts logged at WARN");
    assertTrue(
        appender.list.stream()
            .anyMatch(e -> e.getFormattedMessage().contains("said again at attempt 32")),
        "the line says when it will be said again");
  }

  private static Set<Integer> attemptsSaid(List<ILoggingEvent> events) {
    Set<Integer> said = new TreeSet<>();
    for (ILoggingEvent event : events) {
      Matcher m = ATTEMPT.matcher(event.getFormattedMessage());
      if (event.getLevel() == Level.WARN && m.find()) {
        said.add(Integer.parseInt(m.group(1)));
      }
    }
    return said;
  }
}
