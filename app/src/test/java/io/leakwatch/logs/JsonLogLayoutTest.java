package io.leakwatch.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogLayoutTest {
  private final LoggerContext context = new LoggerContext();

  private JsonNode layout(LoggingEvent event) throws Exception {
    JsonLogLayout layout = new JsonLogLayout();
    layout.setContext(context);
    layout.start();
    String line = layout.doLayout(event);
    assertTrue(
        line.endsWith("\n") && line.indexOf('\n') == line.length() - 1,
        "exactly one line: " + line);
    return new ObjectMapper().readTree(line);
  }

  @Test
  void oneObjectPerLineWithTheContextAndTheFailureButNoStackTrace() throws Exception {
    Exception failure =
        new IllegalStateException(
            "topic /event/ApiEventStream: GetTopic failed",
            new UncheckedIOException("connection reset", new IOException("connection reset")));
    LoggingEvent event =
        new LoggingEvent(
            "fqcn",
            context.getLogger("io.leakwatch.fleet.Fleet"),
            Level.ERROR,
            "org {} did not start:\n{}",
            failure,
            new Object[] {"acme-prod", "second line"});
    event.setMDCPropertyMap(Map.of("org", "acme-prod", "topic", "/event/ApiEventStream"));
    JsonNode line = layout(event);
    assertEquals("ERROR", line.get("level").asText());
    assertEquals("io.leakwatch.fleet.Fleet", line.get("logger").asText());
    assertEquals("acme-prod", line.get("org").asText());
    assertEquals("/event/ApiEventStream", line.get("topic").asText());
    assertEquals(
        "org acme-prod did not start:\nsecond line",
        line.get("message").asText(),
        "a newline stays inside the string");
    assertEquals("java.lang.IllegalStateException", line.at("/exception/class").asText());
    assertEquals(
        "topic /event/ApiEventStream: GetTopic failed", line.at("/exception/message").asText());
    assertEquals("java.io.UncheckedIOException", line.at("/exception/cause/class").asText());
    assertFalse(
        line.toString().contains("at io.leakwatch")
            || line.toString().contains("JsonLogLayoutTest.java"),
        "no stack trace");
    assertTrue(line.get("time").asText().endsWith("Z"), "UTC ISO-8601");
  }

  @Test
  void aPlainLineHasNoExceptionAndNoEmptyContext() throws Exception {
    LoggingEvent event =
        new LoggingEvent(
            "fqcn",
            context.getLogger("io.leakwatch.api.ApiServer"),
            Level.INFO,
            "HTTP API listening on {}",
            null,
            new Object[] {"https://0.0.0.0:8443"});
    event.setMDCPropertyMap(Map.of());
    JsonNode line = layout(event);
    assertEquals("HTTP API listening on https://0.0.0.0:8443", line.get("message").asText());
    assertFalse(line.has("exception"));
    assertFalse(line.has("org"));
  }
}
