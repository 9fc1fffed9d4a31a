package io.leakwatch.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The command line's logging, set up in code: what logback.xml said, without reading XML. */
class StderrLogConfiguratorTest {
  @Test
  void librariesSpeakOnlyWhenSomethingIsWrongOneLineEachOnStandardError() {
    LoggerContext context = new LoggerContext();
    assertEquals(
        Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY,
        new StderrLogConfigurator().configure(context));
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertEquals(Level.WARN, root.getLevel());
    assertFalse(context.getLogger("org.drools.Anything").isInfoEnabled());
    ConsoleAppender<ILoggingEvent> stderr =
        (ConsoleAppender<ILoggingEvent>) root.getAppender("stderr");
    assertTrue(stderr.isStarted());
    assertEquals("System.err", stderr.getTarget());
    assertEquals(
        "%d{yyyy-MM-dd'T'HH:mm:ss.SSSZ} [%level] %logger{0} - %msg%n",
        ((PatternLayoutEncoder) stderr.getEncoder()).getPattern());
  }

  @Test
  void logbackFindsItAsAService() {
    assertTrue(
        ServiceLoader.load(Configurator.class).stream()
            .anyMatch(p -> p.type() == StderrLogConfigurator.class));
  }

  @Test
  void aConfigurationFileTheUserNamesStillWins() {
    String before = System.getProperty("logback.configurationFile");
    System.setProperty("logback.configurationFile", "/somewhere/logback.xml");
    try {
      LoggerContext context = new LoggerContext();
      assertEquals(
          Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY,
          new StderrLogConfigurator().configure(context));
      assertFalse(
          context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());
    } finally {
      if (before == null) {
        System.clearProperty("logback.configurationFile");
      } else {
        System.setProperty("logback.configurationFile", before);
      }
    }
  }
}
