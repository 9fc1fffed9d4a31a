package io.leakwatch.cep;

import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.module.Module;
import com.espertech.esper.common.client.module.ModuleItem;
import com.espertech.esper.common.client.soda.EPStatementObjectModel;
import com.espertech.esper.common.client.soda.FilterStream;
import com.espertech.esper.common.client.soda.OnInsertSplitStreamClause;
import com.espertech.esper.common.client.soda.OnInsertSplitStreamItem;
import com.espertech.esper.common.client.soda.OnMergeClause;
import com.espertech.esper.common.client.soda.OnMergeMatchItem;
import com.espertech.esper.common.client.soda.OnMergeMatchedAction;
import com.espertech.esper.common.client.soda.OnMergeMatchedInsertAction;
import com.espertech.esper.common.client.soda.PatternExpr;
import com.espertech.esper.common.client.soda.PatternFilterExpr;
import com.espertech.esper.common.client.soda.PatternStream;
import com.espertech.esper.common.client.soda.Stream;
import com.espertech.esper.compiler.client.EPCompiler;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import io.leakwatch.rulepack.RuleDefinition;
import io.leakwatch.rulepack.RulePack;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Salesforce streams each rule draws on, read from its EPL: the event types its statements
 * select from (in {@code from} clauses and patterns), followed back through the streams the pack
 * inserts into ({@code PhiRecordView} is Lightning and Classic UI views), to the types events
 * arrive as, named by their channel ({@code ApiEvent} → {@code ApiEventStream}). An alert names
 * these when its rule does not say which one of them an alert came from.
 */
public final class StreamLineage {
  private final Map<String, List<String>> byRule;

  private StreamLineage(Map<String, List<String>> byRule) {
    this.byRule = byRule;
  }

  /** A lineage worked out before (stored with a compiled pack): rule id → its streams, sorted. */
  public static StreamLineage of(Map<String, List<String>> byRule) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    byRule.forEach((rule, streams) -> copy.put(rule, List.copyOf(streams)));
    return new StreamLineage(java.util.Collections.unmodifiableMap(copy));
  }

  /** Rule id → the streams it reads, for storing with a compiled pack. */
  public Map<String, List<String>> byRule() {
    return byRule;
  }

  /** The streams rule {@code ruleId} reads, sorted; empty for a rule this pack does not have. */
  public List<String> streams(String ruleId) {
    return byRule.getOrDefault(ruleId, List.of());
  }

  /**
   * Reads the lineage of every rule of a pack that compiles. A statement the parser cannot read (it
   * would not have compiled either) contributes nothing.
   */
  public static StreamLineage of(RulePack pack) {
    EPCompiler compiler = EPCompilerProvider.getCompiler();
    Configuration config = EsperRules.configuration(null);
    Map<String, Set<String>> insertedFrom = new LinkedHashMap<>();
    for (RuleDefinition.Source shared : pack.shared()) {
      for (Statement s : statements(compiler, config, shared.text())) {
        s.record(insertedFrom);
      }
    }
    Map<String, List<Statement>> ruleStatements = new LinkedHashMap<>();
    for (RuleDefinition rule : pack.rules()) {
      List<Statement> own = statements(compiler, config, rule.epl().text());
      own.forEach(s -> s.record(insertedFrom));
      ruleStatements.put(rule.id(), own);
    }
    Map<String, List<String>> byRule = new LinkedHashMap<>();
    ruleStatements.forEach(
        (ruleId, own) -> {
          Set<String> channels = new TreeSet<>();
          for (Statement s : own) {
            for (String type : s.sources()) {
              baseTypes(type, insertedFrom, new HashSet<>())
                  .forEach(base -> channels.add(TopicTypes.streamOfType(base)));
            }
          }
          byRule.put(ruleId, List.copyOf(channels));
        });
    return new StreamLineage(Map.copyOf(byRule));
  }

  private static Set<String> baseTypes(
      String type, Map<String, Set<String>> insertedFrom, Set<String> visiting) {
    Set<String> sources = insertedFrom.get(type);
    if (sources == null) {
      return Set.of(type);
    }
    if (!visiting.add(type)) {
      return Set.of();
    }
    Set<String> out = new TreeSet<>();
    for (String source : sources) {
      out.addAll(baseTypes(source, insertedFrom, visiting));
    }
    return out;
  }

  /** One statement: the streams it inserts into and the types it selects from. */
  private record Statement(Set<String> targets, Set<String> sources) {
    void record(Map<String, Set<String>> insertedFrom) {
      for (String target : targets) {
        insertedFrom.computeIfAbsent(target, t -> new TreeSet<>()).addAll(sources);
      }
    }
  }

  private static List<Statement> statements(
      EPCompiler compiler, Configuration config, String text) {
    List<Statement> out = new ArrayList<>();
    Module module;
    try {
      module = compiler.parseModule(text);
    } catch (Exception e) {
      return out;
    }
    for (ModuleItem item : module.getItems()) {
      if (item.getExpression() == null || item.isCommentOnly()) {
        continue;
      }
      EPStatementObjectModel model;
      try {
        model = compiler.eplToModel(item.getExpression(), config);
      } catch (Exception e) {
        continue;
      }
      Set<String> sources = new TreeSet<>();
      if (model.getFromClause() != null) {
        for (Stream stream : model.getFromClause().getStreams()) {
          if (stream instanceof FilterStream filter) {
            sources.add(filter.getFilter().getEventTypeName());
          } else if (stream instanceof PatternStream pattern) {
            patternTypes(pattern.getExpression(), sources);
          }
        }
      }
      out.add(new Statement(targets(model), sources));
    }
    return out;
  }

  /** Streams a statement inserts into: its insert-into, a window it creates, on-merge and split. */
  private static Set<String> targets(EPStatementObjectModel model) {
    Set<String> out = new TreeSet<>();
    if (model.getInsertInto() != null) {
      out.add(model.getInsertInto().getStreamName());
    }
    if (model.getCreateWindow() != null) {
      out.add(model.getCreateWindow().getWindowName());
    }
    if (model.getOnExpr() instanceof OnMergeClause merge) {
      out.add(merge.getWindowName());
      for (OnMergeMatchItem item : merge.getMatchItems()) {
        for (OnMergeMatchedAction action : item.getActions()) {
          if (action instanceof OnMergeMatchedInsertAction insert
              && insert.getOptionalStreamName() != null) {
            out.add(insert.getOptionalStreamName());
          }
        }
      }
    }
    if (model.getOnExpr() instanceof OnInsertSplitStreamClause split) {
      for (OnInsertSplitStreamItem item : split.getItems()) {
        out.add(item.getInsertInto().getStreamName());
      }
    }
    return out;
  }

  private static void patternTypes(PatternExpr expr, Set<String> into) {
    if (expr == null) {
      return;
    }
    if (expr instanceof PatternFilterExpr filter) {
      into.add(filter.getFilter().getEventTypeName());
    }
    if (expr.getChildren() != null) {
      expr.getChildren().forEach(child -> patternTypes(child, into));
    }
  }
}
