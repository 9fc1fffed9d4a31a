package io.leakwatch.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leakwatch.engine.DetectionPipeline;
import io.leakwatch.profile.OrgProfileLoader;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RuleMetadata;
import io.leakwatch.rulepack.RulePack;
import io.leakwatch.rulepack.RulePackLoader;
import io.leakwatch.rulepack.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Esper's log lines about a failing rule never carry the event values Esper quotes in them. */
class EsperLogRedactionTest {
  @Test
  void theCommandLinesLoggingInstallsIt() {
    LoggerContext context = new LoggerContext();
    new StderrLogConfigurator().configure(context);
    assertTrue(context.getTurboFilterList().stream().anyMatch(f -> f instanceof EsperLogRedaction));
  }

  @Test
  void aJavaMethodThatThrowsInARuleIsLoggedWithoutItsArguments() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    EsperLogRedaction.installOn(context);
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.setContext(context);
    seen.start();
    root.addAppender(seen);
    RulePack base = RulePackLoader.fromDirectory(Path.of("../rules/pack"));
    RuleDefinition parsing =
        new RuleDefinition(
            new RuleMetadata("LW-T09", "t", Severity.LOW, "test rule", List.of(), Map.of()),
            "t09",
            new RuleDefinition.Source(
                "t09/detect.epl",
                "@Name('detection') select UserId as principal, 1L as count, '' as objects,"
                    + " EventDate as firstTime, EventDate as lastTime, EventIdentifier as evidence"
                    + " from ApiEvent where Integer.parseInt(Operation) > 0"),
            new RuleDefinition.Source("t09/decide.drl", "package leakwatch.test.t09;\n"));
    RulePack pack =
        new RulePack("t", "t", base.version(), "", base.shared(), List.of(), List.of(parsing));
    try (DetectionPipeline pipeline =
        new DetectionPipeline(
            pack,
            OrgProfileLoader.load(Path.of("../rules/pack/test-profile.yaml")),
            DetectionPipeline.Options.defaults())) {
      pipeline.process(
          "/event/ApiEventStream",
          Map.of(
              "EventDate", 1_773_151_200_000L,
              "EventIdentifier", "e1",
              "UserId", "005000000000001AAA",
              "Operation", "Jane Roe"),
          0);
    } finally {
      root.detachAppender(seen);
    }
    List<String> lines =
        seen.list.stream().map(e -> e.getLoggerName() + " " + e.getFormattedMessage()).toList();
    assertTrue(lines.stream().noneMatch(l -> l.contains("Jane")), lines.toString());
    List<String> said = lines.stream().filter(l -> l.startsWith("io.leakwatch.esper ")).toList();
    assertEquals(1, said.size(), lines.toString());
    assertTrue(said.get(0).contains("ExprDotNodeForgeStaticMethodEval"), said.get(0));
  }

  @Test
  void nothingOfEspersTextIsSaidAgainOnlyTheLoggerAndTheExceptionClasses() {
    assertEquals(
        "Esper ExprDotNodeForgeStaticMethodEval reported a problem:"
            + " java.lang.IllegalStateException <- java.lang.NumberFormatException",
        EsperLogRedaction.redact(
            "com.espertech.esper.common.internal.epl.expression.dot.core"
                + ".ExprDotNodeForgeStaticMethodEval",
            new IllegalStateException("x]Jane Roe", new NumberFormatException("Jane Roe"))));
  }
}
