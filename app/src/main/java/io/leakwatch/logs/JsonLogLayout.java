package io.leakwatch.logs;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per log line: time, level, logger, thread, message, the MDC (org, topic where the
 * code set them) and, for a failure, the exception's class and message and those of its cause. No
 * stack traces: they are long, and the class and message say what a log reader needs.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String doLayout(ILoggingEvent event) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
    line.put("level", event.getLevel().toString());
    line.put("logger", event.getLoggerName());
    line.put("thread", event.getThreadName());
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      new TreeMap<>(mdc).forEach(line::put);
    }
    line.put("message", event.getFormattedMessage());
    IThrowableProxy failure = event.getThrowableProxy();
    if (failure != null) {
      ObjectNode exception = line.putObject("exception");
      exception.put("class", failure.getClassName()).put("message", failure.getMessage());
      if (failure.getCause() != null) {
        exception
            .putObject("cause")
            .put("class", failure.getCause().getClassName())
            .put("message", failure.getCause().getMessage());
      }
    }
    try {
      return JSON.writeValueAsString(line) + "\n";
    } catch (JsonProcessingException e) {
      return "{\"level\":\"ERROR\",\"message\":\"log line could not be written as JSON\"}\n";
    }
  }
}
