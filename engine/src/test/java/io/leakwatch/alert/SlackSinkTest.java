package io.leakwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leakwatch.decision.Alert;
import io.leakwatch.rulepack.Severity;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlackSinkTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private SpooledAlertSink slack(HttpReceiver receiver, DrillPolicy drills) throws Exception {
    WebhookTransport transport =
        new WebhookTransport(
            URI.create(receiver.url()),
            null,
            HttpClient.newHttpClient(),
            Duration.ofSeconds(5),
            Clock.systemUTC());
    return new SpooledAlertSink(
        "slack[0]",
        dir.resolve("spool-" + drills),
        SlackMessage::toJson,
        drills,
        true,
        transport,
        new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
  }

  @Test
  void postsBlocksWithRuleSeverityPrincipalAndCountsAndNoLinks() throws Exception {
    try (HttpReceiver receiver = new HttpReceiver(0);
        SpooledAlertSink sink = slack(receiver, DrillPolicy.SKIP)) {
      receiver.script.add(new HttpReceiver.Answer(500, Map.of(), "internal_error"));
      sink.accept(TestAlerts.alert("s1"));
      List<HttpReceiver.Request> got = receiver.successful(2, WAIT);
      assertTrue(sink.awaitDrained(WAIT));
      HttpReceiver.Request request = got.get(1);
      assertNull(
          request.header("Leakwatch-Signature"), "Slack's secret is its URL; no HMAC is sent");
      JsonNode message = JSON.readTree(request.body());
      String text = message.get("text").asText();
      assertTrue(text.startsWith("[HIGH] LW-001 Bulk read of patient records"), text);
      assertTrue(text.contains("0055f000003TeLeAAA") && text.contains("count 240"), text);
      JsonNode blocks = message.get("blocks");
      assertEquals("header", blocks.get(0).get("type").asText());
      List<String> fields = new ArrayList<>();
      blocks.get(1).get("fields").forEach(f -> fields.add(f.get("text").asText()));
      assertTrue(fields.contains("*Rule*\nLW-001"), fields.toString());
      assertTrue(fields.contains("*Severity*\nhigh"), fields.toString());
      assertTrue(fields.contains("*Principal id*\n0055f000003TeLeAAA"), fields.toString());
      assertTrue(fields.contains("*Count*\n240"), fields.toString());
      assertTrue(fields.contains("*Objects*\nContact,Case"), fields.toString());
      assertFalse(request.body().contains("http"), "link-free");
    }
  }

  @Test
  void drillsAndSuppressedAlertsPageNoOneUnlessDrillsAreMarked() throws Exception {
    Alert suppressed = TestAlerts.alert("quiet").toBuilder().suppression("change window").build();
    try (HttpReceiver receiver = new HttpReceiver(0)) {
      try (SpooledAlertSink sink = slack(receiver, DrillPolicy.SKIP)) {
        sink.accept(TestAlerts.alert("drill", Severity.CRITICAL, true));
        sink.accept(suppressed);
        sink.accept(TestAlerts.alert("real"));
        receiver.successful(1, WAIT);
        assertTrue(sink.awaitDrained(WAIT));
        assertEquals(2, sink.stats().skipped());
        assertEquals(1, receiver.requests.size());
      }
      receiver.requests.clear();
      try (SpooledAlertSink sink = slack(receiver, DrillPolicy.MARK)) {
        sink.accept(TestAlerts.alert("drill", Severity.CRITICAL, true));
        JsonNode message = JSON.readTree(receiver.successful(1, WAIT).get(0).body());
        assertTrue(
            message.get("text").asText().startsWith("DRILL, not a real incident: "),
            message.toString());
        assertTrue(
            message.get("blocks").get(0).get("text").get("text").asText().startsWith("DRILL: "));
      }
    }
  }

  @Test
  void slackControlCharactersAreEscapedSoNoMentionOrLinkCanForm() {
    assertEquals(
        "&lt;!channel&gt; &amp; &lt;https://x|y&gt;",
        SlackMessage.escape("<!channel> & <https://x|y>"));
  }
}
