package io.leakwatch.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Esper's own log lines about a failing rule quote event values: a Java method a statement calls
 * that throws is logged with the arguments it was passed and the exception's message ("passing
 * parameters [Jane Roe] … For input string: "Jane Roe""), and those can be patient data. Every
 * warning or error of an Esper logger is said again by {@code io.leakwatch.esper} without them: the
 * text Esper wrote before its arguments were filled in, with bracketed and quoted values and the
 * exception's message left out, and the exception's class only.
 */
public final class EsperLogRedaction extends TurboFilter {
  private static final String ESPER = "com.espertech";
  private static final org.slf4j.Logger SAID = LoggerFactory.getLogger("io.leakwatch.esper");
  private static final Pattern BRACKETED = Pattern.compile("\\[[^\\]]*\\]?");
  private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"?");
  // "…: NumberFormatException : For input string…": the class stays, its message goes.
  private static final Pattern EXCEPTION_MESSAGE =
      Pattern.compile("(\\b\\w+(?:Exception|Error))\\s*:.*$", Pattern.DOTALL);
  private static final int MAX_LENGTH = 400;

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
    String said = redact(format, t);
    if (level.isGreaterOrEqual(Level.ERROR)) {
      SAID.error("{} (Esper, values withheld)", said);
    } else {
      SAID.warn("{} (Esper, values withheld)", said);
    }
    return FilterReply.DENY;
  }

  /** The line without anything that may be an event's value. */
  static String redact(String format, Throwable thrown) {
    String text = format == null ? "" : format;
    text = BRACKETED.matcher(text).replaceAll("[…]");
    text = QUOTED.matcher(text).replaceAll("\"…\"");
    text = EXCEPTION_MESSAGE.matcher(text).replaceAll("$1");
    text = text.replace('\n', ' ').replace('\r', ' ').strip();
    if (text.length() > MAX_LENGTH) {
      text = text.substring(0, MAX_LENGTH) + "…";
    }
    return thrown == null ? text : text + " [" + thrown.getClass().getName() + "]";
  }
}
