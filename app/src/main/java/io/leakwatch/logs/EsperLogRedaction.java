package io.leakwatch.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Esper's own log lines about a failing rule quote event values: a Java method a statement calls
 * that throws is logged with the arguments it was passed and the exception's message ("passing
 * parameters [Jane Roe] … For input string: "Jane Roe""), and those can be patient data. No pattern
 * can tell a value from Esper's words (a value may hold brackets or quotes), so every warning or
 * error of an Esper logger is said again by {@code io.leakwatch.esper} with none of Esper's text:
 * which Esper logger spoke and the classes of the exception's chain. Which rule failed is the
 * pipeline's to say (its dead letters and {@code leakwatch_rule_failures_total}).
 */
public final class EsperLogRedaction extends TurboFilter {
  private static final String ESPER = "com.espertech";
  private static final org.slf4j.Logger SAID = LoggerFactory.getLogger("io.leakwatch.esper");

  /** Installs the filter once on {@code context}. */
  public static void installOn(LoggerContext context) {
    for (TurboFilter filter : context.getTurboFilterList()) {
      if (filter instanceof EsperLogRedaction) {
        return;
      }
    }
    EsperLogRedaction filter = new EsperLogRedaction();
    filter.setContext(context);
    filter.setName("esper-log-redaction");
    filter.start();
    context.addTurboFilter(filter);
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (logger == null
        || level == null
        || !logger.getName().startsWith(ESPER)
        || !level.isGreaterOrEqual(Level.WARN)) {
      return FilterReply.NEUTRAL;
    }
    String said = redact(logger.getName(), t);
    if (level.isGreaterOrEqual(Level.ERROR)) {
      SAID.error("{} (its text is withheld: it may quote event values)", said);
    } else {
      SAID.warn("{} (its text is withheld: it may quote event values)", said);
    }
    return FilterReply.DENY;
  }

  /** What may be said of an Esper log line: its logger and the exception classes, no text. */
  static String redact(String loggerName, Throwable thrown) {
    StringBuilder said =
        new StringBuilder("Esper ")
            .append(loggerName.substring(loggerName.lastIndexOf('.') + 1))
            .append(" reported a problem");
    Throwable t = thrown;
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      said.append(depth == 0 ? ": " : " <- ").append(t.getClass().getName());
      if (t.getCause() == t) {
        break;
      }
    }
    return said.toString();
  }
}
