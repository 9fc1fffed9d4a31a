package io.leakwatch.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Switches logging to JSON lines for a long-running service: on standard error, and also into a
 * file when one is given. Leakwatch's own loggers speak at INFO, libraries only at WARN.
 */
public final class LogSetup {
  private LogSetup() {}

  /**
   * @param file also append JSON lines here, or null
   */
  public static void json(Path file) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.setLevel(Level.WARN);
    context.getLogger("io.leakwatch").setLevel(Level.INFO);
    EsperLogRedaction.installOn(context);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setTarget("System.err");
    start(context, root, console, "json-stderr");
    if (file != null) {
      FileAppender<ILoggingEvent> appender = new FileAppender<>();
      appender.setFile(file.toString());
      appender.setAppend(true);
      start(context, root, appender, "json-file");
    }
  }

  private static void start(
      LoggerContext context,
      Logger root,
      OutputStreamAppender<ILoggingEvent> appender,
      String name) {
    JsonLogLayout layout = new JsonLogLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    appender.setContext(context);
    appender.setName(name);
    appender.setEncoder(encoder);
    // Every line reaches the file as it is written, so a crash loses none.
    appender.setImmediateFlush(true);
    appender.start();
    root.addAppender(appender);
  }
}
